//! A fan-in cell's books: every item received once, in order per
//! producer, and the stream ended after the last producer; and the
//! consumer's tally that fills them.

use serde::{Deserialize, Serialize};

use crate::results::KindBooks;

/// A fan-in cell's books.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanInBooks {
    /// Producers.
    pub producers: u64,
    /// Items sent successfully.
    pub sent: u64,
    /// Items received (duplicates included).
    pub received: u64,
    /// Items received more than once.
    pub duplicates: u64,
    /// Items that arrived before an earlier item of their producer.
    pub out_of_order: u64,
    /// Items sent and never received.
    pub missing: u64,
    /// Items received that no successful send sent (or from no known
    /// producer).
    pub phantom: u64,
    /// Sends that failed (no send should: nothing cancels, the consumer
    /// outlives the producers).
    pub send_failures: u64,
    /// Producers not finished when the stream ended (should be 0).
    pub unfinished_at_end: u64,
    /// Latencies recorded for deliveries.
    pub recorded: u64,
    /// Send latencies recorded (one per successful send); files from
    /// before it was counted read `None` and skip the check.
    #[serde(default)]
    pub sends_recorded: Option<u64>,
}

impl FanInBooks {
    /// `Ok` when every item arrived once, in order, and the stream ended
    /// after the last producer; otherwise every discrepancy.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut say = |n: u64, what: &str| {
            if n > 0 {
                problems.push(format!("{n} {what}"));
            }
        };
        say(self.missing, "items sent were never received");
        say(self.duplicates, "items were received more than once");
        say(
            self.out_of_order,
            "items arrived out of order for their producer",
        );
        say(
            self.phantom,
            "items were received that no successful send sent",
        );
        say(self.send_failures, "sends failed");
        if self.unfinished_at_end > 0 {
            problems.push(format!(
                "the stream ended while {} of {} producers had not finished",
                self.unfinished_at_end, self.producers
            ));
        }
        if let Some(sends) = self.sends_recorded.filter(|sends| *sends != self.sent) {
            problems.push(format!(
                "the harness recorded {sends} send latencies for {} items sent",
                self.sent
            ));
        }
        if self.recorded != self.received {
            problems.push(format!(
                "the harness recorded {} delivery latencies for {} items received",
                self.recorded, self.received
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// The consumer's view: which items of each producer arrived, in which
/// order.
#[derive(Debug)]
pub struct FanInTally {
    /// Per producer: one bit per sequence number received.
    seen: Vec<Vec<u64>>,
    /// Per producer: the sequence number expected next.
    next: Vec<u64>,
    received: u64,
    duplicates: u64,
    out_of_order: u64,
    phantom: u64,
}

impl FanInTally {
    /// A tally for `producers` producers of `items` items each.
    pub fn new(producers: usize, items: u64) -> Self {
        let words = items.div_ceil(64) as usize;
        Self {
            seen: vec![vec![0; words]; producers],
            next: vec![0; producers],
            received: 0,
            duplicates: 0,
            out_of_order: 0,
            phantom: 0,
        }
    }

    /// The consumer received item `seq` of `producer`.
    pub fn receive(&mut self, producer: u32, seq: u64) {
        self.received += 1;
        let p = producer as usize;
        let Some(bits) = self
            .seen
            .get_mut(p)
            .and_then(|bits| bits.get_mut((seq / 64) as usize))
        else {
            self.phantom += 1;
            return;
        };
        let mask = 1u64 << (seq % 64);
        if *bits & mask != 0 {
            self.duplicates += 1;
            return;
        }
        *bits |= mask;
        if seq != self.next[p] {
            self.out_of_order += 1;
        }
        self.next[p] = self.next[p].max(seq + 1);
    }

    /// Items received so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// The books, given what each producer sent successfully.
    pub fn books(
        &self,
        sent: &[u64],
        send_failures: u64,
        unfinished_at_end: u64,
        recorded: u64,
    ) -> FanInBooks {
        let mut missing = 0;
        let mut phantom = self.phantom;
        for (p, bits) in self.seen.iter().enumerate() {
            let distinct: u64 = bits.iter().map(|w| u64::from(w.count_ones())).sum();
            let sent = sent.get(p).copied().unwrap_or(0);
            missing += sent.saturating_sub(distinct);
            phantom += distinct.saturating_sub(sent);
        }
        FanInBooks {
            producers: self.seen.len() as u64,
            sent: sent.iter().sum(),
            received: self.received,
            duplicates: self.duplicates,
            out_of_order: self.out_of_order,
            missing,
            phantom,
            send_failures,
            unfinished_at_end,
            recorded,
            sends_recorded: None,
        }
    }
}

impl KindBooks for FanInBooks {
    fn check(&self) -> Result<(), String> {
        FanInBooks::check(self)
    }

    fn offered(&self) -> u64 {
        self.sent
    }

    fn done(&self) -> u64 {
        self.received
    }

    fn lost(&self) -> u64 {
        self.missing + self.duplicates
    }

    fn counts(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("duplicates", self.duplicates),
            ("missing", self.missing),
            ("out_of_order", self.out_of_order),
        ]
    }
}
