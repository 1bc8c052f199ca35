//! Reading the site folder: walking `content/`, decoding text files (UTF-8 with or
//! without BOM, GB18030, UTF-16), file stamps, and the theme's templates and static
//! files. It must not interpret Markdown, front matter or templates.

pub mod source;
pub mod theme;
