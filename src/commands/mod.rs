//! Commands that are more than a call into the pipeline: each in a module of its own,
//! called by `main.rs` with its parsed arguments.

pub mod doctor;
