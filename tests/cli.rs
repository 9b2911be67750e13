//! CLI behaviour as data: every case in tests/cmd/ runs the real binary in
//! a sandbox copy of its `.in` directory and asserts the exit code, stdout,
//! stderr and (where an `.out` directory exists) the files left behind.

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
