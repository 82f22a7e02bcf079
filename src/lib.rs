pub mod source;
pub mod yaml;
