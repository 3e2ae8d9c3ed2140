//! reportpress turns a report manuscript — Markdown text, TOML metadata and data — into a
//! print PDF (typeset in-process by Typst with pinned CJK fonts) and an EPUB edition.
//!
//! The shape follows mdBook: [`manuscript`] and [`markdown`] build one [`model::Document`];
//! backends such as [`pdf`] and [`epub`] each turn that model into one output; [`pipeline`] runs a build.

pub mod charts;
pub mod config;
pub mod data;
pub mod design;
pub mod diagnostics;
pub mod figures;
pub mod epub;
pub mod font_info_cache;
pub mod fonts;
pub mod manuscript;
pub mod markdown;
pub mod model;
pub mod numbering;
pub mod output;
pub mod pdf;
pub mod pipeline;
pub mod proof;
pub mod references;
pub mod rules;
pub mod watch;
pub mod world;
