//! Prints the terms `related` extracts from each article, as JSON
//! `{"key": ["term", ...], ...}` (keys sorted, terms in order with repeats).
//!
//! Used to build the scikit-learn golden file (`scripts/golden.py`) and handy
//! for seeing what the analyzer makes of a text:
//!
//! ```sh
//! cargo run --example dump_terms -- fixtures/golden > fixtures/golden.terms.json
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use related::internals::{Analyzer, document_terms};
use related::{Options, ReadOptions, read_corpus};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let inputs: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if inputs.is_empty() {
        return Err("usage: dump_terms <INPUT>...".into());
    }
    let options = Options::default();
    let (corpus, warnings) = read_corpus(&inputs, &ReadOptions::default())?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let analyzer = Analyzer::new(options.analyzer);
    let mut out = BTreeMap::new();
    for doc in corpus.docs() {
        let mut terms = Vec::new();
        document_terms(doc, &analyzer, &options.fields, &mut |t, w| {
            terms.extend(std::iter::repeat_n(t.to_owned(), w as usize))
        });
        out.insert(doc.key.clone(), terms);
    }
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
