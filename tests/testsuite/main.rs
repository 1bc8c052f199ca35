//! anxuan's integration tests: one binary, a module per capability. Each test writes a
//! small fixture site to a temporary folder, runs the real `anxuan` binary on it as a
//! user would, and asserts on its exit code, messages and output files.

mod support;

/// A seed report's text as the import reads it (UTF-8 or GBK).
pub fn import_seed_text(path: &std::path::Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    match String::from_utf8(bytes.clone()) {
        Ok(s) => s,
        Err(_) => encoding_rs::GBK.decode(&bytes).0.into_owned(),
    }
}

mod browser;
mod channels;
mod cli;
mod content;
mod data;
mod editor;
mod errors;
mod example_site;
mod first_hour;
mod fuzz;
mod import;
mod incremental;
mod injection;
mod leaflets;
mod leftovers;
mod levels;
mod links;
mod markdown;
mod output;
mod photos;
mod privacy;
mod privacy_attacks;
mod reader;
mod search;
mod serve;
mod snapshots;
mod theme;
mod tidy;
mod urls;
mod valid_html;
mod word_paste;
