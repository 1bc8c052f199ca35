//! The fixture-site builder and helpers shared by every test module.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const CONFIG: &str = "title = \"测试镇安全宣传\"\ndescription = \"测试用站点\"\nbase_url = \"https://anquan.ceshi.gov.cn/zhen/\"\ntownship = \"测试镇\"\n";

/// A site on disk in a temporary folder.
pub struct Site {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_clean(&self) -> &Run {
        self.assert_ok();
        assert!(
            self.stderr.trim().is_empty(),
            "expected no warnings, got:\n{}",
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_anxuan"));
    c.env_remove("ANXUAN_LANG");
    c
}

impl Site {
    /// An empty folder with the standard test config.toml.
    pub fn new() -> Site {
        let s = Site::bare();
        s.file("config.toml", CONFIG);
        s
    }

    /// A copy of the example site at the repository root (config.toml and whichever of
    /// content/, static/ and templates/ it has), so a test can add files to it.
    pub fn example() -> Site {
        let site = Site::bare();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(root.join("config.toml"), site.path().join("config.toml")).unwrap();
        for dir in ["content", "static", "templates"] {
            if root.join(dir).is_dir() {
                copy_dir(&root.join(dir), &site.path().join(dir));
            }
        }
        site
    }

    /// An empty folder.
    pub fn bare() -> Site {
        Site {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (UTF-8 text), creating folders.
    pub fn file(&self, rel: &str, text: &str) -> &Site {
        self.bytes(rel, text.as_bytes())
    }

    pub fn bytes(&self, rel: &str, bytes: &[u8]) -> &Site {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
        self
    }

    /// A page with TOML front matter `fm` (without fences) and `body`.
    pub fn page(&self, rel: &str, fm: &str, body: &str) -> &Site {
        self.file(rel, &format!("+++\n{fm}\n+++\n{body}"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(
            bin()
                .args(args)
                .current_dir(self.path())
                .output()
                .expect("run anxuan"),
        )
    }

    /// `anxuan build` with a fixed clock.
    pub fn build(&self) -> Run {
        self.run(&["build", "--now", "2024-01-01T12:00:00+08:00"])
    }

    pub fn out(&self, rel: &str) -> PathBuf {
        self.path().join("public").join(rel)
    }

    #[track_caller]
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out(rel))
            .unwrap_or_else(|e| panic!("public/{rel}: {e}; files: {:?}", self.files()))
    }

    /// Every output file, relative and sorted.
    pub fn files(&self) -> Vec<String> {
        let root = self.path().join("public");
        let mut v: Vec<String> = walk(&root)
            .into_iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        v.sort();
        v
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The text inside the first element `<tag ...>` … `</tag>` (tests only; output is ours and simple).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let s = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{html}"))
        + start.len();
    let e = html[s..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"))
        + s;
    &html[s..e]
}

/// A raw HTTP/1.0 GET to `origin` (`http://127.0.0.1:port/`), with no client-side
/// path normalisation, so traversal attempts reach the server as written:
/// (status, head, body).
pub fn http_get(origin: &str, path: &str) -> (u16, String, Vec<u8>) {
    use std::io::{Read, Write};
    let addr = origin.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let at = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw.len(), |i| i + 4);
    let head = String::from_utf8_lossy(&raw[..at]).trim_end().to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head, raw[at..].to_vec())
}

/// xorshift64*: reproducible from a seed, no dependency (the fuzz test and the
/// random-edit test of incremental builds).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn locked_version(dir: &Path, package: &str) -> String {
    let lock = std::fs::read_to_string(dir.join("package-lock.json")).unwrap();
    let lock: serde_json::Value = serde_json::from_str(&lock).unwrap();
    lock["packages"][format!("node_modules/{package}")]["version"]
        .as_str()
        .unwrap_or_else(|| panic!("package-lock.json pins no {package}"))
        .to_string()
}

/// The folder of an npm package from tests/browser, at the version the lock file
/// pins, holding `file`. Installed (`npm ci`) on first use or when the installed one
/// differs, so a plain `cargo test` works on a fresh machine with npm; never skipped.
/// The lock keeps the tests of this binary, which run in parallel, from installing
/// twice. `--ignore-scripts`: vnu-jar's postinstall would download a Java runtime
/// (the tests use the system's).
pub fn npm_package(package: &str, file: &str) -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let module = dir.join("node_modules").join(package);
    let want = locked_version(&dir, package);
    let installed = || {
        std::fs::read_to_string(module.join("package.json"))
            .ok()
            .and_then(|p| serde_json::from_str::<serde_json::Value>(&p).ok())
            .and_then(|p| p["version"].as_str().map(str::to_string))
    };
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if installed().as_deref() != Some(&want) || !module.join(file).exists() {
        let status = Command::new("npm")
            .arg("ci")
            .arg("--prefix")
            .arg(&dir)
            .args(["--no-audit", "--no-fund", "--ignore-scripts"])
            .status()
            .expect("run npm (apt-get install npm; .ci/run does) to install the test packages");
        assert!(status.success(), "npm ci --prefix tests/browser failed");
    }
    assert_eq!(
        installed().as_deref(),
        Some(want.as_str()),
        "{package} in {}",
        module.display()
    );
    module
}

/// A real JPEG of 40×30 px (a picture a page can show), without metadata.
pub fn tiny_jpeg() -> Vec<u8> {
    encode(
        image::RgbImage::from_fn(40, 30, |x, y| {
            image::Rgb([(x * 6) as u8, (y * 8) as u8, 90])
        }),
        image::ImageFormat::Jpeg,
    )
}

/// A real PNG of 40×30 px.
pub fn tiny_png() -> Vec<u8> {
    encode(
        image::RgbImage::from_fn(40, 30, |x, _| image::Rgb([(x * 6) as u8, 40, 200])),
        image::ImageFormat::Png,
    )
}

/// A picture as the bytes of an image file.
pub fn encode(img: impl Into<image::DynamicImage>, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.into()
        .write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

/// [`tiny_jpeg`] with an APP1 segment (`Exif\0\0` and a TIFF block) after its start.
pub fn tiny_jpeg_with_app1(app1: &[u8]) -> Vec<u8> {
    with_app1(&tiny_jpeg(), app1)
}

/// A JPEG with an APP1 segment (`app1`: `Exif\0\0` and a TIFF block) after its start,
/// where a camera puts it.
pub fn with_app1(jpeg: &[u8], app1: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// target/pylib with the PyPI package `spec` (`feedparser==6.0.11`) installed into
/// it once, whose module is `module`; for `PYTHONPATH`.
pub fn pylib(module: &str, spec: &str) -> PathBuf {
    static ONCE: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pylib");
    let _one = ONCE.lock().unwrap_or_else(|e| e.into_inner());
    if !lib.join(module).is_dir() {
        let ok = Command::new("python3")
            .args(["-m", "pip", "install", "-q", "--target"])
            .arg(&lib)
            .arg(spec)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "pip install {spec} failed (PyPI is needed once)");
    }
    lib
}
