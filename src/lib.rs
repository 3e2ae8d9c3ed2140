//! reportpress turns a report manuscript — Markdown text, TOML metadata and data — into a
//! print PDF (typeset in-process by Typst with pinned CJK fonts) and an EPUB edition.
//!
//! The layers, lowest first (no module uses one above it):
//! - leaves: [`diagnostics`] (what the user sees), [`access`] (every file read: inside its
//!   root, regular, size-limited), [`source`] (text files, positions),
//!   [`charts`] (chart layout), [`model`] (the document model and its walk), [`design`];
//! - the front end, [`manuscript`]: report.toml, data and Markdown → one
//!   [`model::Document`], then passes over the model; [`numbers`] reads and prints the
//!   numbers of the data (typed cells, spreadsheet formats, filters, sign wording, grouping);
//! - typesetting, [`typeset`]: Typst's world, fonts, error tracing;
//! - writers, each given a [`render::RenderContext`]: [`pdf`] (and the [`proof`] edition,
//!   marked by [`changes`] for a change proof, and the [`press`] edition, PDF/X-4 in CMYK)
//!   and [`epub`];
//! - [`review`]: a proofreader's PDF annotations carried back to manuscript lines;
//! - running: [`pipeline`] (one build), [`output`] (atomic writes), [`watch`], [`preview`]
//!   (the pages in a browser, kept up to date), [`watchdog`] (time and memory budgets), and
//!   [`starter`] (`reportpress new`) and [`import`] (`reportpress import`: a manuscript from
//!   a Word document or extracted text).

pub mod access;
pub mod changes;
pub mod charts;
pub mod commands;
pub mod design;
pub mod diagnostics;
pub mod epub;
pub(crate) mod git;
pub mod import;
pub mod manuscript;
pub mod model;
pub mod numbers;
pub mod output;
pub mod pdf;
pub mod pipeline;
pub mod press;
pub mod preview;
pub mod proof;
pub mod render;
pub mod review;
pub mod snapshot;
pub(crate) mod source;
pub mod starter;
pub mod typeset;
pub mod watch;
pub mod watchdog;
