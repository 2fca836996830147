//! The workload scan (`synth.workload.scan`, the reference) for posts as JSON: [`tokens`] (the
//! tokenizer of `synth.workload.tokens` for the texts it can decide), [`post`] (what the scan
//! reads of a post), [`scan`] (phrase matches, every query evaluated per chunk, the tallies) and
//! `chunk` (a chunk as posting lists and columns).
//! `synth.workload.native` is the adapter; Python reads the posts this code declines.

mod chunk;
pub mod post;
mod py;
pub mod scan;
pub mod tokens;

pub use py::register;
