//! One repetition of a queue cell, in the cell's child process, which
//! coordinates it: it publishes, the consumer processes it starts do the
//! work.
//!
//! The coordinator namespaces the broker's keys for this repetition,
//! starts `consumers` processes of this binary (`contend queue-consumer`,
//! behind the scenario's `consumer_launcher` if any), publishes on the
//! arrival schedule, SIGKILLs consumer 0 when `kill_worker` says, samples
//! the backlog, and waits until everything published is acknowledged (or
//! it is told to stop: Ctrl-C or the cell's timeout close its stdin). It
//! then closes the consumers' stdin, gathers their reports, and reads the
//! books from the broker, which outlives any consumer.

use std::io::Read as _;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::backlog;
use super::books::{QueueBooks, RunCounts};
use super::consumer::{ConsumerReport, ConsumerSpec};
use super::QueueWorkload;
use crate::broker::{unix_nanos_now, Broker, RedisServer, RedisStreams};
use crate::kinds::measure::{finish, with_progress, Measured, Probes};
use crate::kinds::CellSpec;
use crate::record::{Histograms, Metric};
use crate::results::{Books, Repetition, Status};

/// How long a consumer may take to drain and report once asked to stop.
const GRACE: Duration = Duration::from_secs(10);

/// How long the broker may fail to answer before the coordinator stops
/// waiting for the drain.
const LOST_AFTER: Duration = Duration::from_secs(10);

/// The hidden subcommand a consumer process runs.
pub const SUBCOMMAND: &str = "queue-consumer";

/// A consumer process: its stdin (closed to stop it) and its stdout's
/// reader.
struct Consumer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<JoinHandle<String>>,
    killed: bool,
}

impl Consumer {
    /// Starts consumer `index` of `spec`, behind `launcher` if not empty.
    fn start(launcher: &[String], spec: &ConsumerSpec, index: usize) -> Result<Consumer, String> {
        let exe =
            std::env::current_exe().map_err(|e| format!("cannot find the contend binary: {e}"))?;
        let json = serde_json::to_string(spec).expect("a consumer spec serialises");
        let mut command = match launcher.split_first() {
            Some((program, prefix)) => {
                let mut command = Command::new(program);
                command.args(prefix).arg(&exe);
                command
            }
            None => Command::new(&exe),
        };
        command
            .args([SUBCOMMAND, "--spec", &json, "--index", &index.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().map_err(|e| {
            let program = launcher
                .first()
                .map_or_else(|| exe.display().to_string(), Clone::clone);
            format!("cannot start consumer {index} ({program}): {e}")
        })?;
        let stdin = child.stdin.take();
        let mut stdout = child.stdout.take().expect("piped");
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        });
        Ok(Consumer {
            child,
            stdin,
            stdout: Some(reader),
            killed: false,
        })
    }

    /// SIGKILL, now.
    fn kill(&mut self) {
        let _ = self.child.kill();
        self.killed = true;
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Closes its stdin, waits up to [`GRACE`] for it to exit (then kills
    /// it) and reads its report; an error says why there is none.
    fn stop(mut self, index: usize) -> Result<ConsumerReport, String> {
        drop(self.stdin.take());
        let deadline = Instant::now() + GRACE;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return Err(format!(
                        "consumer {index} did not stop within {GRACE:?} of being asked"
                    ));
                }
            }
        };
        let text = self
            .stdout
            .take()
            .map(|reader| reader.join().unwrap_or_default())
            .unwrap_or_default();
        let line = text.lines().rev().find(|line| line.starts_with('{'));
        match line.map(serde_json::from_str::<ConsumerReport>) {
            Some(Ok(report)) => Ok(report),
            _ => Err(format!(
                "consumer {index} ended ({status}) without a report"
            )),
        }
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What the producer did.
struct Published {
    /// When it published its last job, ns since the Unix epoch.
    end_unix_nanos: u64,
    /// Why it stopped short, if it did.
    error: Option<String>,
}

/// Publishes jobs `0..jobs` on the arrival schedule, each stamped with
/// its intended time (a producer that falls behind does not hide the
/// delay: no coordinated omission); counts them in `published`.
fn publish(
    broker: &dyn Broker,
    workload: &QueueWorkload,
    published: &AtomicU64,
    stop: &AtomicBool,
) -> Published {
    let origin = Instant::now();
    let origin_unix = unix_nanos_now();
    let schedule = workload
        .arrival
        .schedule(Some(workload.jobs), None, workload.seed ^ 0x5EED);
    let mut offsets: Box<dyn Iterator<Item = Option<Duration>>> = match schedule {
        Some(schedule) => Box::new(schedule.map(Some)),
        None => Box::new((0..workload.jobs).map(|_| None)),
    };
    let mut job = 0;
    let error = loop {
        let Some(offset) = offsets.next() else {
            break None;
        };
        if job >= workload.jobs || stop.load(Ordering::Relaxed) {
            break None;
        }
        let at = match offset {
            Some(offset) => {
                let intended = origin + offset;
                while Instant::now() < intended && !stop.load(Ordering::Relaxed) {
                    let left = intended.saturating_duration_since(Instant::now());
                    std::thread::sleep(left.min(Duration::from_millis(50)));
                }
                origin_unix + offset.as_nanos() as u64
            }
            None => unix_nanos_now(),
        };
        if let Err(e) = broker.publish(job, at) {
            break Some(format!("publishing job {job}: {e}"));
        }
        job += 1;
        published.store(job, Ordering::Relaxed);
    };
    Published {
        end_unix_nanos: unix_nanos_now(),
        error,
    }
}

fn crashed(probes: Probes, message: String) -> Repetition {
    probes.sampler.finish();
    Repetition::failed(Status::Crashed { message })
}

/// Runs one repetition of a queue cell.
pub(crate) fn run(spec: &CellSpec, workload: &QueueWorkload, stop: &AtomicBool) -> Repetition {
    let probes = Probes::start();
    // A cell run on its own (`contend cell --scenario …`, as `ab` does)
    // was not prepared: it starts its own broker.
    let mut own_server = None;
    let url = match &workload.broker_url {
        Some(url) => url.clone(),
        None => match RedisServer::start() {
            Ok(server) => own_server.insert(server).url(),
            Err(e) => return crashed(probes, format!("cannot start a broker: {e}")),
        },
    };
    let namespace = format!("{}:{}", std::process::id(), spec.repetition);
    let broker = match RedisStreams::connect(&url, &namespace) {
        Ok(broker) => Arc::new(broker),
        Err(e) => return crashed(probes, e.to_string()),
    };
    let consumer_spec = ConsumerSpec {
        url: url.clone(),
        namespace: namespace.clone(),
        strategy: spec.strategy.clone(),
        params: spec.params.clone(),
        service: workload.service,
        seed: workload.seed,
        claim_after: workload.claim_after(),
    };
    let mut consumers = Vec::new();
    for index in 0..workload.consumers {
        match Consumer::start(workload.launcher(index), &consumer_spec, index) {
            Ok(consumer) => consumers.push(consumer),
            Err(message) => return crashed(probes, message),
        }
    }
    let published = AtomicU64::new(0);
    let completed = AtomicU64::new(0);
    let sampling_done = AtomicBool::new(false);
    let start = Instant::now();
    let mut problems: Vec<String> = Vec::new();
    let (samples, producer, waited) = std::thread::scope(|scope| {
        let sampler = scope
            .spawn(|| backlog::sample(&*broker, start, &published, &completed, &sampling_done));
        let producer = scope.spawn(|| publish(&*broker, workload, &published, stop));
        let mut last_answer = Instant::now();
        let waited = with_progress(spec.progress, &|| completed.load(Ordering::Relaxed), || {
            loop {
                if let Some(after) = workload.kill_worker {
                    if !consumers[0].killed && start.elapsed() >= after {
                        consumers[0].kill();
                    }
                }
                if stop.load(Ordering::Relaxed) {
                    return Ok(start.elapsed());
                }
                if producer.is_finished() {
                    let all = published.load(Ordering::Relaxed);
                    match broker.backlog() {
                        Ok(backlog) => {
                            last_answer = Instant::now();
                            completed.fetch_max(
                                all.saturating_sub(backlog.waiting + backlog.pending),
                                Ordering::Relaxed,
                            );
                            if backlog.waiting == 0 && backlog.pending == 0 {
                                return Ok(start.elapsed());
                            }
                        }
                        Err(e) if last_answer.elapsed() > LOST_AFTER => {
                            return Err(format!("waiting for the drain: {e}"));
                        }
                        Err(_) => {}
                    }
                }
                if consumers.iter_mut().all(Consumer::exited) {
                    return Err("every consumer exited before the queue drained".to_owned());
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        sampling_done.store(true, Ordering::Relaxed);
        let samples = sampler.join().expect("the sampler never panics");
        let producer = producer.join().expect("the producer never panics");
        (samples, producer, waited)
    });
    let wall = match waited {
        Ok(wall) => wall,
        Err(problem) => {
            problems.push(problem);
            start.elapsed()
        }
    };
    if let Some(error) = producer.error {
        problems.push(error);
    }
    let killed = consumers.iter().filter(|c| c.killed).count() as u64;
    let started = consumers.len() as u64;
    let mut reports = Vec::new();
    for (index, consumer) in consumers.into_iter().enumerate() {
        let was_killed = consumer.killed;
        match consumer.stop(index) {
            Ok(report) => reports.push(report),
            Err(_) if was_killed => {}
            Err(message) => problems.push(message),
        }
    }
    let mut histograms = Histograms::default();
    for report in &reports {
        for &(value, count) in &report.end_to_end.buckets {
            histograms.record_n(Metric::EndToEnd, value, count);
        }
        if let Some(error) = &report.first_error {
            problems.push(format!(
                "consumer {}: {} broker calls failed, the first: {error}",
                report.index, report.errors
            ));
        }
    }
    let last_ack = reports
        .iter()
        .map(|r| r.last_ack_unix_nanos)
        .max()
        .unwrap_or(0);
    let run = RunCounts {
        consumers: started,
        killed,
        claimed: reports.iter().map(|r| r.claimed).sum(),
        drain_ms: last_ack.saturating_sub(producer.end_unix_nanos) / 1_000_000,
    };
    let all = published.load(Ordering::Relaxed);
    let ledger = match broker.ledger(all) {
        Ok(ledger) => ledger,
        Err(e) => return crashed(probes, format!("reading the books: {e}")),
    };
    let _ = broker.delete_all();
    drop(broker);
    drop(own_server);
    let over_time = super::backlog::over_time(&samples);
    let books = QueueBooks::new(ledger, run, samples);
    let done = books.effects;
    let interrupted = stop.load(Ordering::Relaxed);
    let mut repetition = finish(
        probes,
        Measured {
            wall,
            done,
            books: Books::of(&books),
            interrupted,
            histograms,
        },
    );
    repetition.over_time = over_time;
    if interrupted && matches!(repetition.status, Status::BooksFailed { .. }) {
        // Stopped before the drain: what is left in the queue is not a
        // loss (the books keep their problems all the same).
        repetition.status = Status::Interrupted;
    }
    if !problems.is_empty() {
        // A consumer or the broker failed: that is the news, and the books
        // failing is what followed from it.
        let mut message = problems.join("; ");
        match &repetition.status {
            Status::BooksFailed { message: books } => {
                message.push_str(&format!("; so the books fail: {books}"));
            }
            status if !status.is_ok() => return repetition,
            _ => {}
        }
        repetition.status = Status::Crashed { message };
    }
    repetition
}
