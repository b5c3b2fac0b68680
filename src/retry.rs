//! Retrying registry and forge calls: exponential backoff with jitter,
//! exactly the wait the server asks for with `Retry-After` (however long),
//! and a time budget after which the call is given up.

use std::time::{Duration, Instant};

/// A factor in [0.5, 1.5) that differs from call to call.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, RandomState};
    let h = RandomState::new().hash_one(Instant::now());
    0.5 + (h % 1000) as f64 / 1000.0
}

/// The wait before attempt `n` (0-based) without a `Retry-After`.
pub fn backoff(n: u32) -> Duration {
    let base = 0.5 * 2f64.powi(n.min(7) as i32);
    Duration::from_secs_f64((base * jitter()).min(60.0))
}

/// An error that another try may cure, or not.
pub trait Retryable {
    /// `None`: retrying will not help. `Some(wait)`: worth another try,
    /// after `wait` when the server asked for one.
    fn retry_after(&self) -> Option<Option<Duration>>;
}

/// Runs `f` until it succeeds, fails permanently, or the next wait would
/// pass `deadline` (then the last error is returned, still retryable).
/// `on_retry` hears about every wait.
pub fn retry<T, E: Retryable>(
    deadline: Instant,
    f: impl FnMut() -> Result<T, E>,
    on_retry: impl FnMut(&E, Duration),
) -> Result<T, E> {
    retry_at_most(u32::MAX, deadline, f, on_retry)
}

/// [`retry`] with at most `retries` retries (cargo's `net.retry` for
/// reads: a server that keeps timing out is given up after a few tries,
/// not after the whole time budget).
pub fn retry_at_most<T, E: Retryable>(
    retries: u32,
    deadline: Instant,
    mut f: impl FnMut() -> Result<T, E>,
    mut on_retry: impl FnMut(&E, Duration),
) -> Result<T, E> {
    let mut n = 0;
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err(e) => {
                let Some(retry_after) = e.retry_after() else {
                    return Err(e);
                };
                if n >= retries {
                    return Err(e);
                }
                let wait = retry_after.unwrap_or_else(|| backoff(n));
                if Instant::now() + wait > deadline {
                    return Err(e);
                }
                on_retry(&e, wait);
                std::thread::sleep(wait);
                n += 1;
            }
        }
    }
}
