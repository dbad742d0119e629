//! Each source's poll history: the `history` tree.
//!
//! Per source, under the prefix `id \0`: `p` and the poll's time (8
//! bytes, milliseconds with the sign bit flipped, so byte order is time
//! order) for each [`PollRecord`], and `s` for its [`Summary`], which
//! lists the polls whose records are kept: it is their index, so a poll
//! removes the record that falls out without a scan.
//!
//! A poll's record and summary are written with the source's state, in
//! one batch ([`Store::record_poll`]): the history tree first, so a
//! process killed between the two trees leaves a record of a poll whose
//! state is the one before, and that poll runs again.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::backend::Backend as _;
use super::backend::{Tree, Writes};
use super::codec::{decode, encode, get_json};
use super::{Result, Store};
use crate::model::SourceState;
use crate::model::history::{PollRecord, Summary};

const POLL: u8 = b'p';
const SUMMARY: u8 = b's';

fn prefix(id: &str) -> Vec<u8> {
    let mut key = id.as_bytes().to_vec();
    key.push(0);
    key
}

fn poll_key(id: &str, at: DateTime<Utc>) -> Vec<u8> {
    let mut key = prefix(id);
    key.push(POLL);
    key.extend_from_slice(&((at.timestamp_millis() as u64) ^ (1 << 63)).to_be_bytes());
    key
}

fn summary_key(id: &str) -> Vec<u8> {
    let mut key = prefix(id);
    key.push(SUMMARY);
    key
}

/// A key's source id, its kind and what follows.
fn split(key: &[u8]) -> Option<(&str, u8, &[u8])> {
    let at = key.iter().position(|&b| b == 0)?;
    let id = std::str::from_utf8(&key[..at]).ok()?;
    let (&kind, rest) = key.get(at + 1..)?.split_first()?;
    Some((id, kind, rest))
}

fn poll_time(rest: &[u8]) -> Option<DateTime<Utc>> {
    let bytes: [u8; 8] = rest.try_into().ok()?;
    DateTime::from_timestamp_millis((u64::from_be_bytes(bytes) ^ (1 << 63)) as i64)
}

/// What [`Store::prune_history`] removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct HistoryPruned {
    /// Poll records older than the cutoff.
    pub polls: usize,
    /// Sources no longer configured whose history went whole.
    pub sources: usize,
}

impl Store {
    /// Writes `state` with the poll's record, and the source's summary
    /// updated by it, in one batch.
    pub fn record_poll(&self, id: &str, state: &SourceState, record: &PollRecord) -> Result<()> {
        let written = self.write_poll(id, state, record);
        self.state_written(id, state, written)
    }

    fn write_poll(&self, id: &str, state: &SourceState, record: &PollRecord) -> Result<()> {
        // A damaged summary is started again rather than stopping the
        // history: it holds counters, not news.
        let mut summary = self.history_summary(id).ok().flatten().unwrap_or_default();
        let fallen = summary.record(record);
        let mut history: Writes = fallen
            .into_iter()
            .map(|at| (poll_key(id, at), None))
            .collect();
        history.push((poll_key(id, record.at), Some(encode(record)?)));
        history.push((summary_key(id), Some(encode(&summary)?)));
        self.backend.apply(vec![
            (Tree::History, history),
            (
                Tree::Sources,
                vec![(id.as_bytes().to_vec(), Some(encode(state)?))],
            ),
        ])
    }

    /// What the status page reads of a source's history.
    pub fn history_summary(&self, id: &str) -> Result<Option<Summary>> {
        get_json(&*self.backend, Tree::History, &summary_key(id))
    }

    /// A source's poll records, oldest first.
    pub fn poll_records(&self, id: &str) -> Result<Vec<PollRecord>> {
        let mut start = prefix(id);
        start.push(POLL);
        let mut end = prefix(id);
        end.push(POLL + 1);
        self.backend
            .range(Tree::History, &start, Some(&end))
            .map(|entry| decode(&entry?.1, Tree::History))
            .collect()
    }

    /// Removes the poll records from before `before` and the day
    /// counters too old to chart at `now`, and, when `configured` is
    /// given, the whole history of every source not in it. Reads the
    /// whole tree: at most a few dozen keys per source.
    pub fn prune_history(
        &self,
        before: Option<DateTime<Utc>>,
        configured: Option<&HashSet<String>>,
        now: DateTime<Utc>,
    ) -> Result<HistoryPruned> {
        let mut writes = Writes::new();
        let mut done = HistoryPruned::default();
        let mut gone: HashSet<String> = HashSet::new();
        for entry in self.backend.range(Tree::History, &[], None) {
            let (key, value) = entry?;
            let Some((id, kind, rest)) = split(&key) else {
                // Not a key this module writes: nothing reads it.
                writes.push((key, None));
                continue;
            };
            if configured.is_some_and(|c| !c.contains(id)) {
                gone.insert(id.to_string());
                writes.push((key, None));
                continue;
            }
            match kind {
                POLL => {
                    let old = match poll_time(rest) {
                        Some(at) => before.is_some_and(|before| at < before),
                        None => true,
                    };
                    if old {
                        done.polls += 1;
                        writes.push((key, None));
                    }
                }
                SUMMARY => {
                    let Ok(mut summary) = decode::<Summary>(&value, Tree::History) else {
                        writes.push((key, None));
                        continue;
                    };
                    let was = summary.clone();
                    summary.trim_days(now);
                    if let Some(before) = before {
                        summary.polls.retain(|s| s.at >= before);
                    }
                    if summary != was {
                        writes.push((key, Some(encode(&summary)?)));
                    }
                }
                _ => writes.push((key, None)),
            }
        }
        done.sources = gone.len();
        if !writes.is_empty() {
            let applied = self.backend.apply(vec![(Tree::History, writes)]);
            self.states_changed();
            applied?;
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_keys_sort_by_time_and_read_back() {
        let early = DateTime::from_timestamp(1_000, 0).unwrap();
        let late = DateTime::from_timestamp(2_000, 0).unwrap();
        assert!(poll_key("a", early) < poll_key("a", late));
        let key = poll_key("moh", late);
        let (id, kind, rest) = split(&key).unwrap();
        assert_eq!((id, kind, poll_time(rest)), ("moh", POLL, Some(late)));
    }
}
