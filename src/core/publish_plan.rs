//! Which crate to publish next: a crate goes once every first-party crate it
//! needs is visible in the index (or, where the registry allows it, once the
//! registry accepted that crate's upload); among the ready ones, those heading the
//! longest chain of crates still to publish go first, so the critical path
//! never waits behind crates nothing depends on. Also the registry's rate
//! limits as token buckets, and the duration they imply.
//!
//! Pure: time is passed in as milliseconds.

use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadState {
    /// Already in the index (published earlier or just now).
    Done,
    Waiting,
    Running,
    /// Uploaded and accepted by the registry, not yet seen in its index.
    Accepted,
    Failed,
}

pub struct Scheduler {
    names: Vec<String>,
    deps: Vec<BTreeSet<usize>>,
    users: Vec<Vec<usize>>,
    /// Crates whose dependents may go once their upload is accepted.
    early: Vec<bool>,
    pub state: Vec<UploadState>,
    /// Length of the longest chain of crates still to publish that starts here.
    pub height: Vec<u32>,
}

impl Scheduler {
    /// `deps[i]`: the crates `i` needs first; `done[i]`: `i` is in the index.
    pub fn new(names: Vec<String>, deps: Vec<BTreeSet<usize>>, done: &[bool]) -> Scheduler {
        let n = names.len();
        let mut users = vec![Vec::new(); n];
        for (i, d) in deps.iter().enumerate() {
            for &j in d {
                users[j].push(i);
            }
        }
        let state = done
            .iter()
            .map(|&d| {
                if d {
                    UploadState::Done
                } else {
                    UploadState::Waiting
                }
            })
            .collect();
        let mut s = Scheduler {
            names,
            deps,
            users,
            early: vec![false; n],
            state,
            height: vec![0; n],
        };
        s.height = s.heights();
        s
    }

    /// Lets the dependents of each crate `i` with `early[i]` go as soon as
    /// the registry accepted `i`'s upload, without waiting for its index.
    pub fn release_on_acceptance(&mut self, early: Vec<bool>) {
        assert_eq!(early.len(), self.names.len());
        self.early = early;
    }

    fn satisfied(&self, dep: usize) -> bool {
        match self.state[dep] {
            UploadState::Done => true,
            UploadState::Accepted => self.early[dep],
            _ => false,
        }
    }

    /// Heights by memoized depth-first search over the users (the graph is a
    /// DAG: the publish order was computed from it).
    fn heights(&self) -> Vec<u32> {
        let n = self.names.len();
        let mut h: Vec<Option<u32>> = vec![None; n];
        fn visit(i: usize, s: &Scheduler, h: &mut Vec<Option<u32>>) -> u32 {
            if let Some(v) = h[i] {
                return v;
            }
            let own = u32::from(!matches!(
                s.state[i],
                UploadState::Done | UploadState::Accepted
            ));
            let below = s.users[i]
                .iter()
                .map(|&u| visit(u, s, h))
                .max()
                .unwrap_or(0);
            let v = own + below;
            h[i] = Some(v);
            v
        }
        (0..n).map(|i| visit(i, self, &mut h)).collect()
    }

    /// Crates that can go now, most urgent first.
    pub fn ready(&self) -> Vec<usize> {
        let mut r: Vec<usize> = (0..self.names.len())
            .filter(|&i| {
                self.state[i] == UploadState::Waiting
                    && self.deps[i].iter().all(|&d| self.satisfied(d))
            })
            .collect();
        r.sort_by(|&a, &b| {
            self.height[b]
                .cmp(&self.height[a])
                .then_with(|| self.names[a].cmp(&self.names[b]))
        });
        r
    }

    pub fn set(&mut self, i: usize, s: UploadState) {
        self.state[i] = s;
    }

    /// Nothing is running or awaiting its index and nothing more can start.
    pub fn stuck(&self) -> bool {
        !self.state.contains(&UploadState::Running)
            && !self.state.contains(&UploadState::Accepted)
            && self.ready().is_empty()
    }

    /// Crates that cannot go because something they need failed.
    pub fn blocked(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&i| self.state[i] == UploadState::Waiting)
            .collect()
    }

    /// The longest chain of crates still to publish.
    pub fn critical_path(&self) -> u32 {
        self.height.iter().copied().max().unwrap_or(0)
    }
}

/// A registry rate limit: `burst` at once, then one more every `every_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub every_ms: u64,
}

#[derive(Debug, Clone)]
pub struct TokenBucket {
    limit: Limit,
    tokens: f64,
    at_ms: u64,
}

impl TokenBucket {
    pub fn new(limit: Limit, now_ms: u64) -> TokenBucket {
        TokenBucket {
            limit,
            tokens: f64::from(limit.burst),
            at_ms: now_ms,
        }
    }

    fn refill(&mut self, now_ms: u64) {
        if self.limit.every_ms == 0 {
            self.tokens = f64::from(self.limit.burst);
            return;
        }
        let gained = now_ms.saturating_sub(self.at_ms) as f64 / self.limit.every_ms as f64;
        self.tokens = (self.tokens + gained).min(f64::from(self.limit.burst));
        self.at_ms = now_ms;
    }

    /// Takes a token, or says how long to wait for one.
    pub fn take(&mut self, now_ms: u64) -> Result<(), u64> {
        self.refill(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - self.tokens) * self.limit.every_ms as f64).ceil() as u64)
        }
    }
}

/// The least time `count` operations take under `limit`, from a full bucket.
pub fn min_duration_ms(limit: Limit, count: u32) -> u64 {
    u64::from(count.saturating_sub(limit.burst)) * limit.every_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(edges: &[(usize, usize)], n: usize, done: &[usize]) -> Scheduler {
        let mut deps = vec![BTreeSet::new(); n];
        for &(a, b) in edges {
            deps[a].insert(b);
        }
        let d: Vec<bool> = (0..n).map(|i| done.contains(&i)).collect();
        Scheduler::new((0..n).map(|i| format!("c{i}")).collect(), deps, &d)
    }

    #[test]
    fn critical_path_goes_first() {
        //  c0 <- c1 <- c2 <- c3      (a chain of 4)
        //  c4                         (alone)
        //  c5 <- c6                   (a chain of 2)
        let s = sched(&[(1, 0), (2, 1), (3, 2), (6, 5)], 7, &[]);
        assert_eq!(s.ready(), [0, 5, 4]);
        assert_eq!(s.critical_path(), 4);
    }

    #[test]
    fn done_crates_unblock_and_do_not_count() {
        let mut s = sched(&[(1, 0), (2, 1)], 3, &[0]);
        assert_eq!(s.ready(), [1]);
        assert_eq!(s.critical_path(), 2);
        s.set(1, UploadState::Running);
        assert!(s.ready().is_empty() && !s.stuck());
        s.set(1, UploadState::Failed);
        assert!(s.stuck());
        assert_eq!(s.blocked(), [2]);
    }

    #[test]
    fn acceptance_releases_only_dependents_of_early_crates() {
        //  c0 <- c1      c2 <- c3
        let mut s = sched(&[(1, 0), (3, 2)], 4, &[]);
        // c0 existed before the run (an update); c2 is a new crate.
        s.release_on_acceptance(vec![true, false, false, false]);
        s.set(0, UploadState::Accepted);
        s.set(2, UploadState::Accepted);
        assert_eq!(s.ready(), [1]);
        assert!(!s.stuck());
        s.set(2, UploadState::Done);
        assert_eq!(s.ready(), [1, 3]);
        // Without the setting, acceptance releases nothing.
        let mut s = sched(&[(1, 0)], 2, &[]);
        s.set(0, UploadState::Accepted);
        assert!(s.ready().is_empty() && !s.stuck());
    }

    #[test]
    fn token_bucket_bursts_then_refills() {
        let limit = Limit {
            burst: 2,
            every_ms: 60_000,
        };
        let mut b = TokenBucket::new(limit, 0);
        assert_eq!(b.take(0), Ok(()));
        assert_eq!(b.take(0), Ok(()));
        assert_eq!(b.take(0), Err(60_000));
        assert_eq!(b.take(30_000), Err(30_000));
        assert_eq!(b.take(60_000), Ok(()));
        assert_eq!(min_duration_ms(limit, 5), 180_000);
        assert_eq!(
            min_duration_ms(
                Limit {
                    burst: 30,
                    every_ms: 60_000
                },
                60
            ),
            30 * 60_000
        );
    }
}
