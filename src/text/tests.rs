//! Analyzer tests: the behaviour a reader of the output relies on.

use super::*;

/// Asserts that `text` yields terms that include every one of `expected`.
#[track_caller]
fn assert_has_terms(analyzer: &Analyzer, text: &str, expected: &[&str]) {
    let terms = analyzer.terms(text);
    for want in expected {
        assert!(
            terms.iter().any(|t| t == want),
            "{text:?}: expected term {want:?} in {terms:?} (POS filter or segmentation changed?)"
        );
    }
}

#[track_caller]
fn assert_lacks_terms(analyzer: &Analyzer, text: &str, unwanted: &[&str]) {
    let terms = analyzer.terms(text);
    for bad in unwanted {
        assert!(!terms.iter().any(|t| t == bad), "{text:?}: unexpected term {bad:?} in {terms:?}");
    }
}

#[test]
fn compound_noun_and_katakana_word_are_found() {
    let a = Analyzer::default();
    assert_has_terms(&a, "関西国際空港限定トートバッグ", &["関西国際空港", "限定", "トートバッグ"]);
}

#[test]
fn sumomo_keeps_nouns_and_drops_particles() {
    let a = Analyzer::default();
    let terms = a.terms("すもももももももものうち");
    assert_has_terms(&a, "すもももももももものうち", &["すもも", "もも"]);
    for particle in ["も", "の"] {
        assert!(!terms.iter().any(|t| t == particle), "particle {particle:?} kept: {terms:?}");
    }
    // うち is 名詞,非自立 in IPADIC: a grammatical noun, not a topic.
    assert!(!terms.iter().any(|t| t == "うち"), "{terms:?}");
}

#[test]
fn mixed_english_japanese_sentence() {
    let a = Analyzer::default();
    let terms = a.terms("Rustで高速なTF-IDF検索を実装した");
    assert_eq!(terms, ["rust", "高速", "tf-idf", "検索", "実装"], "{terms:?}");
}

#[test]
fn verbs_and_adjectives_come_out_as_base_form() {
    let a = Analyzer::default();
    assert_has_terms(&a, "記事を書いた。美しかった", &["記事", "書く", "美しい"]);
    assert_lacks_terms(&a, "記事を書いた。美しかった", &["書い", "た", "美しかっ"]);
}

#[test]
fn surface_form_when_lemma_is_off() {
    let a = Analyzer::new(AnalyzerOptions {
        japanese: JapaneseOptions { lemma: false, ..JapaneseOptions::default() },
        ..AnalyzerOptions::default()
    });
    assert_has_terms(&a, "記事を書いた", &["書い"]);
}

#[test]
fn light_verbs_pronouns_and_numbers_are_dropped() {
    let a = Analyzer::default();
    assert_lacks_terms(&a, "これは3つある。私がする", &["これ", "3", "ある", "私", "する", "つ"]);
}

#[test]
fn english_stopwords_are_dropped() {
    let a = Analyzer::default();
    assert_eq!(a.terms("The cat is on the mat and it is happy"), ["cat", "mat", "happy"]);
}

#[test]
fn full_width_input_equals_half_width() {
    let a = Analyzer::default();
    assert_eq!(a.terms("ＡＢＣ１２３ Ｒｕｓｔ ｶﾀｶﾅ"), a.terms("ABC123 Rust カタカナ"));
    assert_eq!(a.terms("ＡＢＣ１２３"), ["abc123"]);
}

#[test]
fn empty_and_whitespace_text_give_no_terms() {
    let a = Analyzer::default();
    assert!(a.terms("").is_empty());
    assert!(a.terms(" \n\t\u{3000} ").is_empty());
}

#[test]
fn text_without_japanese_never_loads_the_dictionary() {
    let a = Analyzer::default();
    let terms = a.terms("Plain English text about search engines, café and naïve Bayes.");
    assert!(!terms.is_empty());
    assert!(!a.dictionary_loaded(), "English-only text must not touch lindera");
    a.terms("日本語");
    assert!(a.dictionary_loaded());
}

#[test]
fn analyzer_is_shared_across_threads() {
    let a = Analyzer::default();
    let expected = a.terms("東京タワーに行った");
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| a.terms("東京タワーに行った"))).collect();
        for h in handles {
            assert_eq!(h.join().expect("thread panicked"), expected);
        }
    });
    assert_has_terms(&a, "東京タワーに行った", &["東京", "タワー", "行く"]);
}

/// The whole-text normalizer, which [`nfkc`] must equal.
fn nfkc_whole(text: &str) -> String {
    text.nfkc().collect()
}

#[test]
fn piecewise_nfkc_equals_whole_text_nfkc_on_real_text() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut checked = 0;
    for sub in ["livedoor-sample", "golden"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            checked += usize::from(!matches!(nfkc(&text), Cow::Borrowed(_)));
            assert_eq!(nfkc(&text), nfkc_whole(&text));
        }
    }
    let feed = std::fs::read_to_string(dir.join("hotchpotch-dev-feed.xml")).unwrap();
    assert_eq!(nfkc(&feed), nfkc_whole(&feed));
    assert!(checked > 5, "the fixtures must exercise the piecewise path ({checked})");
}

proptest::proptest! {
    #[test]
    fn piecewise_nfkc_equals_whole_text_nfkc(
        chars in proptest::collection::vec(proptest::sample::select(vec![
            'a', 'Z', ' ', '1', '.', '\n', 'é', 'e', '\u{301}', '\u{323}', '\u{308}', // combining, any order
            '、', '。', 'か', 'カ', 'ウ', 'は', '\u{3099}', '\u{309A}', '゛', 'ゝ', 'ヽ', 'ー', // kana + sound marks
            'ｶ', 'ｳ', 'ﾞ', 'ﾟ', 'ｰ', '！', 'Ａ', '１', '（', '\u{3000}', // half / full width
            '漢', '字', '\u{F900}', '\u{FA10}', '㍻', '①', 'ﬁ', '½', // compatibility ideographs, ligatures
            '\u{1100}', '\u{1161}', '\u{11A8}', '가', // Hangul jamo that compose
        ]), 0..40)
    ) {
        let text: String = chars.into_iter().collect();
        proptest::prop_assert_eq!(nfkc(&text), nfkc_whole(&text));
    }
}
