//! The compiled core of synth's post generator: byte for byte the output of the Python
//! reference (`synth.generator`), which stays the specification.
//!
//! Pure Rust, testable without Python: [`rng`] (the counter-based draws), [`floyd`] (distinct
//! samples), [`json`] (orjson's escaping), [`vocab`] (the vocabulary Python hands over),
//! [`plan`] (a post's decisions), [`post`] (its JSON) and [`engine`] (sealed batches). The
//! Python module `synth._native` is in `py`. [`check`] is the native validator (its own
//! modules; `synth.validate.native` is its adapter); [`workload`] is the
//! native workload scan (`synth.workload.native`); [`digest`] the line digests of re-imports.

#![forbid(unsafe_code)]

pub mod check;
pub mod digest;
pub mod engine;
pub mod floyd;
pub mod json;
pub mod plan;
pub mod post;
mod py;
pub mod rng;
pub mod vocab;
pub mod workload;

/// Every Rust allocation of the module (the check's trees, the generator's buffers) goes to
/// mimalloc: faster than glibc's malloc at the small, short-lived blocks a parse makes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
