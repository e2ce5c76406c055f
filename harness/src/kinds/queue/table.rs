//! The `[workload]` table of a `queue` scenario, as TOML gives it and as
//! checked: every refusal names its line and column, so a run never
//! starts on a load that cannot mean what it says (a killed consumer with
//! no survivor to take its messages, a broker URL of another scheme).

use serde::Deserialize;
use toml::Spanned;

use super::workload::QueueWorkload;
use crate::fields::{at_most, positive, time, Checked, Source};
use crate::kinds::pool::table::{arrival, service, RawArrival, RawService};
use crate::kinds::{Shared, Workload};
use crate::load::arrival::Arrival;
use crate::load::service::Work;

/// The most jobs a queue scenario publishes: the broker's books check
/// every id, and a Redis set of them costs memory.
const MAX_JOBS: u64 = 10_000_000;

/// The most consumer processes.
const MAX_CONSUMERS: u64 = 64;

/// Reads and checks the `[workload]` of `src`, a `queue` file; it sets no
/// strategy parameter (those are each `[[strategy]]`'s, as in a pool).
pub(crate) fn read(src: Source<'_>) -> Checked<(Workload, Shared)> {
    let table = crate::kinds::workload_table::<RawQueueWorkload>(src)?;
    Ok((Workload::Queue(workload(src, &table)?), Vec::new()))
}

/// The `[workload]` of `kind = "queue"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQueueWorkload {
    pub(crate) jobs: Spanned<i64>,
    pub(crate) arrival: Spanned<RawArrival>,
    pub(crate) service: Option<Spanned<RawService>>,
    pub(crate) consumers: Spanned<i64>,
    pub(crate) kill_worker: Option<Spanned<RawKill>>,
    pub(crate) broker: Option<Spanned<RawBroker>>,
    pub(crate) consumer_launcher: Option<Spanned<RawLauncher>>,
    pub(crate) seed: Option<u64>,
}

/// `kill_worker = { after = "1s" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKill {
    pub(crate) after: Spanned<String>,
}

/// `broker = { type = "redis", url = "redis://host:port" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBroker {
    #[serde(rename = "type")]
    pub(crate) kind: Spanned<String>,
    pub(crate) url: Option<Spanned<String>>,
}

/// `consumer_launcher`: one command prefix for every consumer, or one per
/// consumer (`[]` for one that runs here).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum RawLauncher {
    /// `["ssh", "host"]`: every consumer.
    Every(Vec<String>),
    /// `[["ip", "netns", "exec", "ns1"], []]`: consumer by consumer.
    Each(Vec<Vec<String>>),
}

/// The launcher of each consumer, checked: a prefix names a program, and
/// a list per consumer has one for each.
fn launchers(
    src: Source<'_>,
    launcher: &Spanned<RawLauncher>,
    consumers: usize,
) -> Checked<Vec<Vec<String>>> {
    let bad = |message: String| Err(src.error(launcher.span(), message));
    let each = match launcher.get_ref() {
        RawLauncher::Every(prefix) if prefix.is_empty() => {
            return bad("`consumer_launcher` is a command prefix, e.g. [\"ip\", \"netns\", \"exec\", \"ns1\"]; it must name a program".into())
        }
        RawLauncher::Every(prefix) => vec![prefix.clone(); consumers],
        RawLauncher::Each(each) if each.len() != consumers => {
            return bad(format!(
                "`consumer_launcher` lists {} prefixes for {consumers} consumers: one per consumer (`[]` runs one here), or a single prefix for all",
                each.len()
            ))
        }
        RawLauncher::Each(each) => each.clone(),
    };
    if each.iter().any(|prefix| {
        prefix
            .first()
            .is_some_and(|program| program.trim().is_empty())
    }) {
        return bad(
            "`consumer_launcher`: a prefix must start with a program, not an empty string".into(),
        );
    }
    Ok(each)
}

fn workload(src: Source<'_>, table: &Spanned<RawQueueWorkload>) -> Checked<QueueWorkload> {
    let raw = table.get_ref();
    let jobs = at_most(
        src,
        &raw.jobs,
        "jobs",
        MAX_JOBS,
        "the jobs the broker's books check",
    )?;
    let arrival_value = arrival(src, &raw.arrival)?;
    if matches!(arrival_value, Arrival::Closed { .. }) {
        return Err(src.error(
            raw.arrival.get_ref().kind.span(),
            "a queue's producer does not wait for its jobs: arrival type `closed` does not apply; allowed: batch, open, burst, ramp",
        ));
    }
    let service = match &raw.service {
        None => Default::default(),
        Some(spanned) => {
            let model = service(src, spanned)?;
            if model.work != Work::Sleep || model.memory != 0 {
                return Err(src.error(
                    spanned.span(),
                    "a queue job sleeps its service time: `type = \"spin\"` and `memory` do not apply",
                ));
            }
            model
        }
    };
    let consumers = positive(src, &raw.consumers, "consumers")?;
    if consumers > MAX_CONSUMERS {
        return Err(src.error(
            raw.consumers.span(),
            format!("`consumers` must be at most {MAX_CONSUMERS}, got {consumers}"),
        ));
    }
    let kill_worker = match &raw.kill_worker {
        None => None,
        Some(kill) => {
            let after = time(src, &kill.get_ref().after)?;
            if consumers < 2 {
                return Err(src.error(
                    kill.span(),
                    format!(
                        "`kill_worker` needs `consumers` of 2 or more (got {consumers}): with one consumer killed, none is left to claim its messages"
                    ),
                ));
            }
            Some(after)
        }
    };
    let broker_url = match &raw.broker {
        None => None,
        Some(broker) => {
            let broker = broker.get_ref();
            if broker.kind.get_ref() != "redis" {
                return Err(src.error(
                    broker.kind.span(),
                    format!(
                        "unknown broker type `{}`; allowed: redis",
                        broker.kind.get_ref()
                    ),
                ));
            }
            match &broker.url {
                None => None,
                Some(url) => {
                    let text = url.get_ref();
                    let host = text.strip_prefix("redis://").unwrap_or_default();
                    if host.is_empty() || host.starts_with('/') {
                        return Err(src.error(
                            url.span(),
                            format!(
                                "`url` must be a Redis URL, `redis://host:port`; got `{}`",
                                crate::broker::redact_url(text)
                            ),
                        ));
                    }
                    Some(text.clone())
                }
            }
        }
    };
    let consumer_launcher = match &raw.consumer_launcher {
        None => Vec::new(),
        Some(launcher) => launchers(src, launcher, consumers as usize)?,
    };
    Ok(QueueWorkload {
        jobs,
        arrival: arrival_value,
        service,
        consumers: consumers as usize,
        kill_worker,
        broker_url,
        consumer_launcher,
        seed: raw.seed.unwrap_or(1),
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use crate::kinds::Workload;
    use crate::scenario::{Kind, Scenario, ScenarioError};

    const QUEUE: &str = r#"kind = "queue"
[workload]
jobs = 2000
arrival = { type = "open", rate = 2000 }
service = { mean = "2ms" }
consumers = 3
kill_worker = { after = "1s" }
broker = { type = "redis" }
[[strategy]]
name = "fixed"
workers = 8
"#;

    fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse(Path::new("queue.toml"), text)
    }

    fn refused(text: &str) -> ScenarioError {
        parse(text).expect_err("refused")
    }

    #[test]
    fn a_queue_scenario_reads_with_the_pools_strategies() {
        let scenario = parse(QUEUE).expect("parses");
        assert_eq!(scenario.kind, Kind::Queue);
        assert_eq!(scenario.cells[0].params.workers, 8);
        let Workload::Queue(load) = &scenario.workload else {
            panic!("a queue workload")
        };
        assert_eq!((load.jobs, load.consumers), (2000, 3));
        assert_eq!(load.kill_worker, Some(Duration::from_secs(1)));
        assert_eq!(load.broker_url, None);
        let Workload::Queue(quick) = scenario.plan(true).0 else {
            panic!("a queue workload")
        };
        assert_eq!(quick.jobs, 200);
        // A spec carries the workload as JSON: it must come back a queue's.
        let json = serde_json::to_string(&scenario.workload).unwrap();
        let back: Workload = serde_json::from_str(&json).unwrap();
        assert_eq!(back, scenario.workload);
    }

    #[test]
    fn a_kill_with_no_survivor_is_refused_with_the_reason() {
        let error = refused(&QUEUE.replace("consumers = 3", "consumers = 1"));
        assert_eq!((error.line, error.column), (7, 15));
        assert!(
            error.message.contains("none is left to claim its messages"),
            "{error}"
        );
    }

    #[test]
    fn bad_values_name_their_line() {
        let error = refused(&QUEUE.replace("consumers = 3", "consumers = 0"));
        assert_eq!(error.line, 6);
        let error = refused(&QUEUE.replace(
            "broker = { type = \"redis\" }",
            "broker = { type = \"redis\", url = \"http://x\" }",
        ));
        assert_eq!(error.line, 8);
        assert!(error.message.contains("redis://host:port"), "{error}");
        let error = refused(&QUEUE.replace("after = \"1s\"", "after = \"soon\""));
        assert_eq!(error.line, 7);
        let error = refused(&QUEUE.replace("consumers = 3", "consumers = 3\nworkerz = 2"));
        assert!(error.message.contains("workerz"), "{error}");
        let error = refused(&QUEUE.replace(
            "type = \"open\", rate = 2000",
            "type = \"closed\", clients = 2",
        ));
        assert!(error.message.contains("does not wait"), "{error}");
        let error = refused(&QUEUE.replace("type = \"redis\"", "type = \"kafka\""));
        assert!(error.message.contains("allowed: redis"), "{error}");
    }

    #[test]
    fn a_launcher_is_for_every_consumer_or_one_per_consumer() {
        let every = parse(&QUEUE.replace(
            "consumers = 3",
            "consumers = 3\nconsumer_launcher = [\"ssh\", \"host\"]",
        ))
        .expect("parses");
        let Workload::Queue(load) = &every.workload else {
            panic!("a queue workload")
        };
        assert_eq!(load.launcher(2), ["ssh", "host"]);
        let each = parse(&QUEUE.replace(
            "consumers = 3",
            "consumers = 3\nconsumer_launcher = [[\"ip\", \"netns\", \"exec\", \"ns\"], [], []]",
        ))
        .expect("parses");
        let Workload::Queue(load) = &each.workload else {
            panic!("a queue workload")
        };
        assert_eq!(load.launcher(0), ["ip", "netns", "exec", "ns"]);
        assert!(load.launcher(1).is_empty());
        let error = refused(&QUEUE.replace(
            "consumers = 3",
            "consumers = 3\nconsumer_launcher = [[\"ssh\", \"a\"], []]",
        ));
        assert!(
            error.message.contains("2 prefixes for 3 consumers"),
            "{error}"
        );
        let error =
            refused(&QUEUE.replace("consumers = 3", "consumers = 3\nconsumer_launcher = []"));
        assert!(error.message.contains("must name a program"), "{error}");
    }
}
