//! The standalone fake OpenRouter Workspaces API (feature `fake`): serves `/api/v1` until killed and prints its
//! base URL on the first line of standard output. `cargo xtask fake-server [ARGS]` builds and runs it.
//!
//! The flags are parsed by hand: a command-line crate would be compiled into every build that enables the
//! `fake` feature (users' test builds included) for the sake of one small binary.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use openrouter_workspaces::fake::{FAKE_API_KEY, FakeServer, RateLimit};
use openrouter_workspaces::operation::OperationId;

const USAGE: &str = "\
usage: openrouter-workspaces-fake [--addr ADDR] [--seed N] [--latency-ms MS] [--api-key KEY] [--rate-limit R]
       openrouter-workspaces-fake --operations

  --addr ADDR       the address to listen on (default 127.0.0.1:8080; loopback unless you say otherwise)
  --seed N          seed N extra workspaces, seeded-1 ... seeded-N (default 0)
  --latency-ms MS   wait MS milliseconds before answering each request (default 0)
  --api-key KEY     the API key to accept (default: the fake's documented key)
  --rate-limit R    limit each key to R = REQUESTS[/INTERVAL] (a token bucket; e.g. 200/10s, 50/250ms; no
                    interval means per second): 429 with Retry-After, retry-after-ms and X-RateLimit-* beyond it
  --operations      print the operationId of every operation the fake serves (the spec's), one per line, and exit
";

struct Args {
    addr: SocketAddr,
    seed: usize,
    latency: Duration,
    api_key: Option<String>,
    rate_limit: Option<RateLimit>,
}

/// What the command line asks for.
enum Command {
    Serve(Args),
    Usage,
    Operations,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command, String> {
    let mut out = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        seed: 0,
        latency: Duration::ZERO,
        api_key: None,
        rate_limit: None,
    };
    while let Some(flag) = args.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (flag.clone(), None),
        };
        if name == "--help" || name == "-h" {
            return Ok(Command::Usage);
        }
        if name == "--operations" {
            return Ok(Command::Operations);
        }
        let value = inline.or_else(|| args.next()).ok_or_else(|| format!("{name} needs a value"))?;
        let invalid = |what: &str| format!("{name} {value:?}: expected {what}");
        match name.as_str() {
            "--addr" => out.addr = value.parse().map_err(|_| invalid("an address such as 127.0.0.1:8080"))?,
            "--seed" => out.seed = value.parse().map_err(|_| invalid("a number of workspaces"))?,
            "--latency-ms" => {
                out.latency = Duration::from_millis(value.parse().map_err(|_| invalid("milliseconds"))?);
            }
            "--api-key" => out.api_key = Some(value),
            "--rate-limit" => out.rate_limit = Some(value.parse().map_err(|e| format!("{name} {e}"))?),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(Command::Serve(out))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Command::Serve(args)) => args,
        Ok(Command::Usage) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Operations) => {
            for id in OperationId::ALL {
                println!("{id}");
            }
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let key = args.api_key.unwrap_or_else(|| FAKE_API_KEY.to_owned());
        let mut builder = FakeServer::builder()
            .addr(args.addr)
            .seed_workspaces(args.seed)
            .latency(args.latency)
            .api_keys([key.clone()]);
        if let Some(limit) = args.rate_limit {
            builder = builder.rate_limit(limit);
        }
        let server = builder.start().await.map_err(|e| format!("cannot listen on {}: {e}", args.addr))?;
        println!("{}", server.base_url());
        let which = if key == FAKE_API_KEY {
            format!("the fake key {FAKE_API_KEY}")
        } else {
            "the key given by --api-key".to_owned()
        };
        eprintln!("fake OpenRouter Workspaces API; accepts {which}; Ctrl-C to stop");
        tokio::signal::ctrl_c().await.map_err(|e| format!("cannot wait for Ctrl-C: {e}"))
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| (*s).to_owned())).map(|command| match command {
            Command::Serve(args) => Some(args),
            Command::Usage | Command::Operations => None,
        })
    }

    #[test]
    fn flags_are_parsed_with_a_space_or_an_equals_sign() {
        let a = args(&["--addr", "127.0.0.1:9", "--seed=3", "--latency-ms", "5", "--api-key=k"]).unwrap().unwrap();
        assert_eq!((a.addr.port(), a.seed, a.latency.as_millis(), a.api_key.as_deref()), (9, 3, 5, Some("k")));
        assert!(args(&["--help"]).unwrap().is_none());
        assert!(matches!(parse(["--operations".to_owned()].into_iter()), Ok(Command::Operations)));
        let limited = args(&["--rate-limit", "50/250ms"]).unwrap().unwrap();
        assert_eq!(limited.rate_limit, Some(RateLimit::new(50, Duration::from_millis(250))));
    }

    #[test]
    fn bad_arguments_say_what_is_wrong() {
        assert_eq!(args(&["--seed", "x"]).err().unwrap(), "--seed \"x\": expected a number of workspaces");
        assert_eq!(args(&["--addr"]).err().unwrap(), "--addr needs a value");
        assert_eq!(args(&["--port", "1"]).err().unwrap(), "unknown argument \"--port\"");
        assert!(args(&["--rate-limit", "fast"]).err().unwrap().starts_with("--rate-limit \"fast\": expected"));
    }
}
