//! A queue run across a network boundary: consumer 0 runs in a network
//! namespace of its own (started through `consumer_launcher = ip netns
//! exec …`), reaching the broker over a veth pair as it would reach one on
//! another host, and is SIGKILLed mid-run; the consumer on the host claims
//! its messages and the books balance. What makes a run scale out to
//! other hosts (`ssh host` as the prefix) is shown here on one machine.
//!
//! Needs root (namespaces and links), `ip` and `redis-server`; without
//! any of them it says `SKIPPED` once and passes. The namespace and the
//! veth pair are removed at the end, whatever happens.

mod common;

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::process::Command;

use contend::broker::{BrokerError, RedisServer};

/// The host's end of the veth pair, where the broker listens.
const HOST_ADDR: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);

/// One loud line, in one write (libtest hides a passing test's output).
fn skip(test: &str, reason: &str) {
    let line = format!("SKIPPED: {test}: {reason}\n");
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Runs `ip args…`; its stderr on failure.
fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// A network namespace joined to the host by a veth pair (10.77.0.1/24
/// on the host, 10.77.0.2/24 inside), removed on drop.
struct Namespace {
    name: String,
    host_link: String,
}

impl Namespace {
    fn create() -> Result<Namespace, String> {
        let pid = std::process::id();
        let namespace = Namespace {
            name: format!("contend-q{pid}"),
            host_link: format!("cq{pid}h"),
        };
        let peer = format!("cq{pid}n");
        let (ns, host) = (namespace.name.as_str(), namespace.host_link.as_str());
        ip(&["netns", "add", ns])?;
        // From here on, drop cleans up whatever was made.
        ip(&["link", "add", host, "type", "veth", "peer", "name", &peer])?;
        ip(&["link", "set", &peer, "netns", ns])?;
        ip(&["addr", "add", "10.77.0.1/24", "dev", host])?;
        ip(&["link", "set", host, "up"])?;
        ip(&[
            "netns",
            "exec",
            ns,
            "ip",
            "addr",
            "add",
            "10.77.0.2/24",
            "dev",
            &peer,
        ])?;
        ip(&["netns", "exec", ns, "ip", "link", "set", &peer, "up"])?;
        ip(&["netns", "exec", ns, "ip", "link", "set", "lo", "up"])?;
        Ok(namespace)
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // Deleting one end of a veth pair deletes both.
        let _ = ip(&["link", "del", &self.host_link]);
        let _ = ip(&["netns", "del", &self.name]);
    }
}

fn scenario(namespace: &str, url: &str) -> String {
    format!(
        r#"
name = "queue-netns"
kind = "queue"
description = "consumer 0 in a network namespace over a veth pair, SIGKILLed at 300 ms"

[workload]
jobs = 1200
arrival = {{ type = "open", rate = 1200 }}
service = {{ mean = "10ms" }}
consumers = 2
kill_worker = {{ after = "300ms" }}
broker = {{ type = "redis", url = "{url}" }}
consumer_launcher = [["ip", "netns", "exec", "{namespace}"], []]

[[strategy]]
name = "fixed"
workers = 4
"#
    )
}

#[test]
fn a_consumer_in_another_network_namespace_works_dies_and_is_taken_over() {
    let test = "a_consumer_in_another_network_namespace_works_dies_and_is_taken_over";
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return skip(test, "not root (network namespaces need it)");
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return skip(test, "no `ip` command (iproute2)");
    }
    let namespace = match Namespace::create() {
        Ok(namespace) => namespace,
        Err(reason) => return skip(test, &format!("cannot make a network namespace: {reason}")),
    };
    let server = match RedisServer::start_binding(&[IpAddr::V4(HOST_ADDR)]) {
        Ok(server) => server,
        Err(BrokerError::ServerNotFound { .. }) => return skip(test, "redis-server not installed"),
        Err(e) => panic!("{test}: {e}"),
    };
    let url = server.url_at(IpAddr::V4(HOST_ADDR));
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("netns.toml");
    std::fs::write(&file, scenario(&namespace.name, &url)).unwrap();
    let out = temp.path().join("runs");
    let output = Command::new(env!("CARGO_BIN_EXE_contend"))
        .args([
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .expect("the contend binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let run = common::only_run_folder(&out);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("results.json")).unwrap()).unwrap();
    let repetition = &results["scenarios"][0]["cells"][0]["repetitions"][0];
    assert_eq!(repetition["status"]["state"], "ok", "{repetition:#}");
    let queue = &repetition["books"]["ledger"];
    let n = |key: &str| queue[key].as_u64().unwrap_or_else(|| panic!("{key}"));
    eprintln!(
        "{test}: published {}, claimed {}, duplicates {}, drain {} ms, by consumer {}",
        n("published"),
        n("claimed"),
        n("duplicates"),
        n("drain_ms"),
        queue["broker"]["completed_by"]
    );
    assert_eq!((n("published"), n("effects")), (1200, 1200));
    assert_eq!((n("missing"), n("pending")), (0, 0));
    assert_eq!(n("killed"), 1);
    assert!(n("claimed") > 0, "{queue:#}");
    // The consumer in the namespace reached the broker over the veth pair
    // and did work before it was killed.
    let in_namespace = queue["broker"]["completed_by"]["consumer-0"]
        .as_u64()
        .unwrap_or(0);
    assert!(in_namespace > 0, "{queue:#}");
    drop(server);
    drop(namespace);
    let left = Command::new("ip").args(["netns", "list"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&left.stdout)
            .contains(&format!("contend-q{}", std::process::id())),
        "the namespace was removed"
    );
}
