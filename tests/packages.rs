//! The release packages (`make dist`): a self-contained tarball and a Debian/Ubuntu .deb,
//! each installed into a temporary root and used there as a user without Rust would —
//! `reportpress new` and `build` with no repository, no toolchain on PATH and no fonts but
//! the package's.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// Builds both packages from the test's binary into `out`.
fn make_packages(out: &Path) -> (PathBuf, PathBuf) {
    let made =
        Command::new(root().join("packaging/make-packages.sh")).arg(env!("CARGO_BIN_EXE_reportpress")).arg(out).output().expect("the packaging script runs");
    assert!(made.status.success(), "make-packages.sh failed:\n{}", String::from_utf8_lossy(&made.stderr));
    let find = |suffix: &str| {
        std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(suffix))
            .unwrap_or_else(|| panic!("no *{suffix} written"))
    };
    (find(".tar.gz"), find(".deb"))
}

/// Runs the installed `program` in `cwd` as a user without Rust: PATH with the system's
/// directories only, a fresh HOME, no font or cache settings.
fn run_installed(program: &Path, cwd: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(program)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin")
        .env("HOME", home)
        .env("LANG", "C.UTF-8")
        .output()
        .expect("the installed program runs")
}

/// `new` and `build` with the installed program, in an empty directory outside the repository.
fn start_and_build(program: &Path, what: &str) {
    let place = tempfile::tempdir().unwrap();
    let home = place.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let cargo =
        Command::new("sh").args(["-c", "command -v cargo rustc"]).env_clear().env("PATH", "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin").output().unwrap();
    assert!(cargo.stdout.is_empty(), "{what}: a Rust toolchain is on the test's PATH: {}", String::from_utf8_lossy(&cargo.stdout));
    let new = run_installed(program, place.path(), &home, &["new", "annual", "--design", "report"]);
    assert!(new.status.success(), "{what}: new failed:\n{}", String::from_utf8_lossy(&new.stderr));
    let build = run_installed(program, &place.path().join("annual"), &home, &["build"]);
    assert!(build.status.success(), "{what}: build failed:\n{}", String::from_utf8_lossy(&build.stderr));
    let dist = place.path().join("annual/dist");
    for edition in ["annual.pdf", "annual.epub"] {
        assert!(dist.join(edition).is_file(), "{what}: {edition} was not written:\n{}", String::from_utf8_lossy(&build.stdout));
    }
    tool("qpdf", &["--check", dist.join("annual.pdf").to_str().unwrap()]);
    let fonts = tool("pdffonts", &[dist.join("annual.pdf").to_str().unwrap()]);
    assert!(fonts.contains("NotoSerifCJKsc"), "{what}: the package's fonts were not used:\n{fonts}");
    let doctor = run_installed(program, place.path(), &home, &["doctor"]);
    assert!(
        doctor.status.success() && String::from_utf8_lossy(&doctor.stdout).contains("reports can be built here"),
        "{what}: doctor:\n{}",
        String::from_utf8_lossy(&doctor.stdout)
    );
}

#[test]
fn the_tarball_and_the_deb_install_and_build_without_rust() {
    let dir = tempfile::tempdir().unwrap();
    let (tarball, deb) = make_packages(&dir.path().join("packages"));

    // The tarball, unpacked anywhere: one directory with the program, the fonts and the licences.
    let unpacked = dir.path().join("opt");
    std::fs::create_dir_all(&unpacked).unwrap();
    tool("tar", &["-xzf", tarball.to_str().unwrap(), "-C", unpacked.to_str().unwrap()]);
    let top = std::fs::read_dir(&unpacked).unwrap().next().unwrap().unwrap().path();
    for file in ["share/reportpress/fonts/NotoSerifCJK-Regular.ttc", "share/doc/reportpress/copyright", "share/doc/reportpress/LICENSE-OFL-fonts.txt"] {
        assert!(top.join(file).is_file(), "the tarball has no {file}");
    }
    start_and_build(&top.join("bin/reportpress"), "tarball");

    // The .deb: its control fields, then its files installed into a temporary root.
    let info = tool("dpkg-deb", &["--info", deb.to_str().unwrap()]);
    for field in ["Package: reportpress", "Architecture: amd64", "Depends: libc6"] {
        assert!(info.contains(field), "the .deb's control has no `{field}`:\n{info}");
    }
    let contents = tool("dpkg-deb", &["--contents", deb.to_str().unwrap()]);
    assert!(contents.contains("./usr/bin/reportpress") && contents.contains("./usr/share/reportpress/fonts/NotoSansCJK-Bold.ttc"), "{contents}");
    let installed = dir.path().join("root");
    tool("dpkg-deb", &["-x", deb.to_str().unwrap(), installed.to_str().unwrap()]);
    start_and_build(&installed.join("usr/bin/reportpress"), ".deb");
}
