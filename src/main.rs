//! The `reportpress` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use reportpress::diagnostics::{Diagnostic, Diagnostics};
use reportpress::pipeline::{self, BuildOptions, Format};

/// Build a report's print PDF and EPUB from one manuscript.
#[derive(Debug, Parser)]
#[command(name = "reportpress", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the editions into the output directory.
    Build {
        /// Which edition(s) to build.
        #[arg(long, value_enum, default_value_t = FormatArg::All)]
        format: FormatArg,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Parse and validate the manuscript without writing anything.
    Check {
        #[command(flatten)]
        paths: PathArgs,
    },
}

#[derive(Debug, clap::Args)]
struct PathArgs {
    /// The manuscript directory (holding report.toml).
    #[arg(long, default_value = "manuscript")]
    manuscript: PathBuf,
    /// The output directory.
    #[arg(long, default_value = "dist")]
    out: PathBuf,
    /// The pinned fonts directory.
    #[arg(long, default_value = "fonts")]
    fonts: PathBuf,
    /// The design directory holding report.typ.
    #[arg(long, default_value = "assets")]
    assets: PathBuf,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Pdf,
    Epub,
    All,
}

impl FormatArg {
    fn formats(self) -> Vec<Format> {
        match self {
            FormatArg::Pdf => vec![Format::Pdf],
            FormatArg::Epub => vec![Format::Epub],
            FormatArg::All => vec![Format::Pdf, Format::Epub],
        }
    }
}

impl PathArgs {
    fn options(self) -> BuildOptions {
        BuildOptions { manuscript: self.manuscript, out: self.out, fonts: self.fonts, assets: self.assets }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { format, paths } => {
            let options = paths.options();
            match pipeline::build(&options, &format.formats()) {
                Ok(report) => {
                    print_diagnostics(&report.warnings);
                    for written in &report.written {
                        println!("wrote {} ({}, {} bytes)", written.path.display(), written.summary, written.bytes);
                    }
                    ExitCode::SUCCESS
                }
                Err(diagnostics) => fail(&diagnostics),
            }
        }
        Command::Check { paths } => {
            let options = paths.options();
            let mut stages = Vec::new();
            match pipeline::prepare(&options, &mut stages) {
                Ok(prepared) => {
                    println!(
                        "ok: {} ({} blocks)",
                        options.manuscript.display(),
                        prepared.manuscript.document.blocks.len()
                    );
                    ExitCode::SUCCESS
                }
                Err(diagnostics) => fail(&diagnostics),
            }
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprint!("{}", diagnostic.render());
    }
}

fn fail(diagnostics: &Diagnostics) -> ExitCode {
    print_diagnostics(&diagnostics.0);
    let errors = diagnostics.0.iter().filter(|d| d.severity == reportpress::diagnostics::Severity::Error).count();
    eprintln!("error: build failed with {errors} error(s); no output was written");
    ExitCode::FAILURE
}
