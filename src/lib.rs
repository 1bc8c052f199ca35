//! anxuan (安宣): turns a folder of Markdown safety notices, warnings, statistics and
//! leaflets into a static township website. See ARCHITECTURE.md for the pipeline:
//! `source` → `front_matter` → `meta` → `markdown` → `model` → `render` →
//! `postprocess` → `output`, run in order by `pipeline`.

pub mod checks;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod front_matter;
pub mod markdown;
pub mod meta;
pub mod model;
pub mod output;
pub(crate) mod paste;
pub mod pipeline;
pub mod postprocess;
pub mod print;
pub mod qr;
pub mod render;
pub(crate) mod sanitize;
pub mod scaffold;
pub mod search;
pub mod serve;
pub mod slug;
pub mod source;
pub mod theme;
