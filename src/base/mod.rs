//! Helpers every stage may use: diagnostics and their two languages, dates as staff
//! write them, the personal-data detector, URL rules, slugs, hashing, XML escaping and
//! timing. Nothing here may use another folder of the crate, read files, or know
//! about pages: a module needed by two stages lives here so neither reaches up.

pub(crate) mod dates;
pub mod diagnostic;
pub(crate) mod hash;
pub(crate) mod pii;
pub(crate) mod slug;
pub(crate) mod trace;
pub(crate) mod url;
pub(crate) mod xml;
