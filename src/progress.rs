//! Progress of a long run: on a terminal, one bar redrawn in place under
//! the messages; in CI (or when stderr is not a terminal), plain lines.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    total: usize,
    done: usize,
    start: Instant,
    bar: bool,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            total,
            done: 0,
            start: Instant::now(),
            bar,
        }
    }

    /// Time left, from the pace so far.
    pub fn eta_secs(&self) -> Option<u64> {
        (self.done > 0 && self.done < self.total).then(|| {
            self.start.elapsed().as_secs() * (self.total - self.done) as u64 / self.done as u64
        })
    }

    fn clear(&self) {
        if self.bar {
            eprint!("\r\x1b[2K");
        }
    }

    fn draw(&self) {
        if !self.bar {
            return;
        }
        const WIDTH: usize = 30;
        let filled = WIDTH * self.done / self.total.max(1);
        let eta = self
            .eta_secs()
            .map_or(String::new(), |s| format!(", about {} left", fmt_secs(s)));
        eprint!(
            "\r\x1b[2K[{}{}] {}/{}{eta}",
            "=".repeat(filled),
            " ".repeat(WIDTH - filled),
            self.done,
            self.total
        );
        let _ = std::io::stderr().flush();
    }

    /// A message line (above the bar on a terminal).
    pub fn say(&self, line: &str) {
        self.clear();
        eprintln!("{}", crate::core::redact::text(line));
        self.draw();
    }

    /// One more item done, with its message (and the ETA on plain lines).
    pub fn step(&mut self, line: &str) {
        self.done += 1;
        if self.bar {
            self.say(line);
        } else {
            let eta = self
                .eta_secs()
                .map_or(String::new(), |s| format!(", about {} left", fmt_secs(s)));
            eprintln!(
                "{} ({}/{}{eta})",
                crate::core::redact::text(line),
                self.done,
                self.total
            );
        }
    }

    pub fn finish(&self) {
        self.clear();
    }
}

pub fn fmt_secs(s: u64) -> String {
    if s >= 3600 {
        format!("{}h {:02}m", s / 3600, s % 3600 / 60)
    } else if s >= 60 {
        format!("{}m {:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
