//! anxuan's integration tests: one binary, a module per capability. Each test writes a
//! small fixture site to a temporary folder, runs the real `anxuan` binary on it as a
//! user would, and asserts on its exit code, messages and output files.

mod support;

mod browser;
mod channels;
mod cli;
mod content;
mod data;
mod errors;
mod example_site;
mod first_hour;
mod fuzz;
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
