//! SIGINT and SIGTERM during a train operation: the first one is noted and
//! the run stops at the next safe point (before the next step of its plan,
//! or while it waits), saying what is left; a second one ends the process at
//! once. Nothing the train does touches the user's checkout, so even an
//! immediate end leaves it as it was; stopping at a safe point also keeps
//! the remote's changes to the one atomic push.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGINT, SIGTERM};

struct Flags {
    stop: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
}

static FLAGS: OnceLock<Flags> = OnceLock::new();

/// A run stopped by a signal.
#[derive(Debug, thiserror::Error)]
#[error("interrupted by {}: stopped {at}", signal_name(*.signal))]
pub struct Interrupted {
    pub signal: i32,
    /// Where it stopped ("before pushing", …).
    pub at: String,
}

impl Interrupted {
    /// The exit code a shell gives a process ended by this signal.
    pub fn exit_code(&self) -> u8 {
        (128 + self.signal).clamp(0, 255) as u8
    }
}

fn signal_name(s: i32) -> &'static str {
    match s {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "a signal",
    }
}

/// Starts noting SIGINT and SIGTERM (once per process; later calls do
/// nothing). Until then they end the process as usual.
pub fn install() -> std::io::Result<()> {
    if FLAGS.get().is_some() {
        return Ok(());
    }
    let flags = Flags {
        stop: Arc::new(AtomicBool::new(false)),
        which: Arc::new(AtomicUsize::new(0)),
    };
    for sig in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag as the earlier signal left it.
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, flags.stop.clone())?;
        signal_hook::flag::register_usize(sig, flags.which.clone(), sig as usize)?;
        signal_hook::flag::register(sig, flags.stop.clone())?;
    }
    let _ = FLAGS.set(flags);
    Ok(())
}

/// The signal received, if any.
pub fn received() -> Option<i32> {
    let f = FLAGS.get()?;
    f.stop
        .load(Ordering::SeqCst)
        .then(|| f.which.load(Ordering::SeqCst) as i32)
}

/// `Err` once a signal came: stop here, `at` says where.
pub fn check(at: impl FnOnce() -> String) -> Result<(), Interrupted> {
    match received() {
        Some(signal) => Err(Interrupted { signal, at: at() }),
        None => Ok(()),
    }
}

/// Sleeps for `d`, waking early (with `Err`) when a signal comes.
pub fn sleep(d: Duration, at: impl FnOnce() -> String) -> Result<(), Interrupted> {
    let until = Instant::now() + d;
    loop {
        if let Some(signal) = received() {
            return Err(Interrupted { signal, at: at() });
        }
        let now = Instant::now();
        if now >= until {
            return Ok(());
        }
        std::thread::sleep((until - now).min(Duration::from_millis(50)));
    }
}
