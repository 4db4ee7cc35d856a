fn main() {
    let a = related::text::Analyzer::default();
    for line in std::io::stdin().lines() {
        println!("{:?}", a.terms(&line.unwrap()));
    }
}
