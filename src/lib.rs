//! anxuan (安宣): turns a folder of Markdown safety notices, warnings, statistics and
//! leaflets into a static township website. See ARCHITECTURE.md for the pipeline.

pub mod config;
pub mod diagnostic;
pub mod front_matter;
pub mod meta;
pub mod slug;
pub mod source;
