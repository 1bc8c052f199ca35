//! Turning decoded text into checked values: `config.toml` into `Config`, front
//! matter into a spanned tree, and that tree into typed page metadata per kind. It
//! must not read files other than config.toml or render anything.

pub mod config;
pub(crate) mod front_matter;
pub mod meta;
