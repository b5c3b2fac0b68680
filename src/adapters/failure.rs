//! How a registry call failed, classified so that callers retry what is
//! transient (honouring the wait the registry asked for) and stop on the
//! rest. Shared by the registry's web API and its git index.

use crate::retry::Retryable;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// Worth another try: rate limited (with the wait asked for), server
    /// error, connection trouble.
    #[error("{message}")]
    Transient {
        message: String,
        retry_after: Option<Duration>,
    },
    /// Retrying will not help (bad request, forbidden, …).
    #[error("{0}")]
    Permanent(String),
    /// A publish the registry refused because the version is there already
    /// (an earlier run uploaded it): what it said, worded as a refusal.
    #[error("{0}")]
    AlreadyPublished(String),
}

impl Failure {
    /// The same failure, its message led by `what` (`what: message`).
    pub fn within(self, what: &str) -> Failure {
        match self {
            Failure::Transient {
                message,
                retry_after,
            } => Failure::Transient {
                message: format!("{what}: {message}"),
                retry_after,
            },
            Failure::Permanent(m) => Failure::Permanent(format!("{what}: {m}")),
            Failure::AlreadyPublished(m) => Failure::AlreadyPublished(format!("{what}: {m}")),
        }
    }
}

impl Retryable for Failure {
    fn retry_after(&self) -> Option<Option<Duration>> {
        match self {
            Failure::Transient { retry_after, .. } => Some(*retry_after),
            Failure::Permanent(_) | Failure::AlreadyPublished(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retry::retry;
    use std::time::Instant;

    #[test]
    fn retries_transient_failures_and_honours_retry_after() {
        let mut calls = 0;
        let mut waits = Vec::new();
        let r = retry(
            Instant::now() + Duration::from_secs(10),
            || {
                calls += 1;
                match calls {
                    1 => Err(Failure::Transient {
                        message: "429".into(),
                        retry_after: Some(Duration::from_millis(20)),
                    }),
                    2 => Err(Failure::Transient {
                        message: "500".into(),
                        retry_after: None,
                    }),
                    _ => Ok(calls),
                }
            },
            |_, w| waits.push(w),
        );
        assert_eq!(r, Ok(3));
        assert_eq!(waits[0], Duration::from_millis(20));
        // The second attempt's backoff: 1 s with a jitter of ±50 %.
        assert!(
            waits[1] >= Duration::from_millis(500) && waits[1] < Duration::from_millis(1500),
            "{waits:?}"
        );
    }

    #[test]
    fn gives_up_at_the_deadline_and_on_permanent_failures() {
        let r: Result<(), _> = retry(
            Instant::now() + Duration::from_millis(50),
            || {
                Err(Failure::Transient {
                    message: "busy".into(),
                    retry_after: Some(Duration::from_secs(5)),
                })
            },
            |_, _| panic!("a wait past the deadline must not be started"),
        );
        assert!(matches!(r, Err(Failure::Transient { .. })));
        let mut calls = 0;
        let r: Result<(), _> = retry(
            Instant::now() + Duration::from_secs(5),
            || {
                calls += 1;
                Err(Failure::Permanent("403".into()))
            },
            |_, _| {},
        );
        assert_eq!((r, calls), (Err(Failure::Permanent("403".into())), 1));
    }

    #[test]
    fn a_version_there_already_is_not_retried() {
        let mut calls = 0;
        let r: Result<(), _> = retry(
            Instant::now() + Duration::from_secs(5),
            || {
                calls += 1;
                Err(Failure::AlreadyPublished("exists".into()))
            },
            |_, _| {},
        );
        assert_eq!(calls, 1);
        assert!(matches!(r, Err(Failure::AlreadyPublished(_))));
    }
}
