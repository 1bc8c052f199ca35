//! anxuan (安宣): turns a folder of Markdown safety notices, warnings, statistics and
//! leaflets into a static township website. See ARCHITECTURE.md for the stages, one
//! folder each, lower ones never reaching up: `base` (diagnostics, dates, personal
//! data, URLs) → `input` (the walk and decoding) → `parse` (config, front matter,
//! keys) → `markdown` → `data` → `photo` → `checks` → `model` → `output` → `render`, run in
//! order by `pipeline`, kept between edits by `session`, served by `serve`.

pub mod base;
pub(crate) mod checks;
pub(crate) mod data;
pub mod import;
pub mod input;
pub(crate) mod markdown;
pub mod model;
pub mod output;
pub mod parse;
pub(crate) mod photo;
pub mod pipeline;
pub mod print;
pub(crate) mod render;
pub mod scaffold;
pub mod serve;
pub mod session;
