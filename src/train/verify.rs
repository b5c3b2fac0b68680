//! `cargo train verify`: report everything that would break a publish.

use crate::adapters::fs;
use crate::core::problem::Problem;
use crate::core::verify;
use crate::train::Context;

pub fn run(ctx: &Context) -> Vec<Problem> {
    let read = |vf: &crate::core::config::VersionFile| {
        fs::read_optional(&ctx.root.join(&vf.path)).ok().flatten()
    };
    verify::verify(&ctx.ws, &ctx.config, &read)
}
