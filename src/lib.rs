pub mod diagnostic;
pub mod manifest;
pub mod path;
pub mod source;
pub mod yaml;
