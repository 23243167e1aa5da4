//! The headless runner: `socksim run LESSON.json`.
pub fn main() -> std::process::ExitCode {
    let text = std::fs::read_to_string(std::env::args().nth(2).unwrap()).unwrap();
    let lesson = crate::scenario::Lesson::parse(&text).unwrap();
    let mut player = crate::scenario::Player::new(lesson).unwrap();
    player.run_to_end();
    for l in player.transcript() { println!("{:>9} {} {} {:?}", l.started_at.total_micros(), l.host, l.code, l.outcome); }
    for r in player.network().trace().records() { println!("{:>9} {} {}", r.sent_at.total_micros(), r.summary.describe(), r.fate.label()); }
    for r in player.results() { println!("{:?}", r); }
    std::process::ExitCode::SUCCESS
}
