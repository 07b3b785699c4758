//! Built-in stand-ins for development and demos, reached over HTTP as the real
//! services are: the mock card acquirer and the e-identification simulator. Only
//! `startup` mounts them.
pub mod eid_sim;
pub mod mock_acquirer;
