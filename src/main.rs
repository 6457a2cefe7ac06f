fn main() {
    std::process::exit(preflight::app::main());
}
