//! Bulk jobs: many independent calls, a bounded number in flight, each item's outcome on its own.
//!
//! A [`Bulk`] is lazy (nothing is sent until its stream is polled) and bounded: it holds at most `concurrency`
//! calls in flight and takes the next input only when one ends, so a job of a million items holds no more than
//! `concurrency` of them at a time (the input iterator is read as the job goes). Results come as they complete,
//! each with its input's index and key; [`Bulk::collect`] puts them back in input order. One item's failure
//! never stops the others.
//!
//! Every call goes through the client as a single call would: the same retry rules (writes are not replayed
//! after they may have reached the server), the same retry budget and the same rate limiter, so a job that meets
//! a `429` slows down as a whole instead of each call finding the limit for itself.

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::error::Error;

/// How many calls of a bulk job are in flight at once, unless [`Bulk::concurrency`] says otherwise.
pub const DEFAULT_BULK_CONCURRENCY: usize = 8;

/// The outcome of one item of a [`Bulk`] job.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkItem<K, T, E = Error> {
    /// The item's position in the input, from 0.
    pub index: usize,
    /// What names the item: the slug for [`create_many`](crate::Workspaces::create_many), the workspace for
    /// [`update_many`](crate::Workspaces::update_many), the chunk's user ids for
    /// [`add_all`](crate::Members::add_all) and [`remove_all`](crate::Members::remove_all).
    pub key: K,
    /// Its outcome.
    pub result: Result<T, E>,
}

/// The number of items an iterator will yield, when it says exactly: a job's [`Bulk::total`].
pub(crate) fn exact_len(hint: (usize, Option<usize>)) -> Option<usize> {
    (hint.1 == Some(hint.0)).then_some(hint.0)
}

type Job<K, T, E> = (K, BoxFuture<'static, Result<T, E>>);

/// A job over any number of ids, sent in chunks of at most `max` (so `n` ids cost `ceil(n / max)` calls, none
/// for no id): one `call` per chunk, keyed by the chunk's ids. The ids are read from the iterator as the job goes.
pub(crate) fn chunked<I, S, T, F>(ids: I, max: usize, call: F) -> Bulk<Vec<String>, T>
where
    I: IntoIterator<Item = S>,
    I::IntoIter: Send + 'static,
    S: Into<String>,
    T: Send + 'static,
    F: Fn(Vec<String>) -> BoxFuture<'static, Result<T, Error>> + Send + 'static,
{
    let max = max.max(1);
    let mut ids = ids.into_iter();
    let total = exact_len(ids.size_hint()).map(|n| n.div_ceil(max));
    let chunks = std::iter::from_fn(move || {
        let chunk: Vec<String> = ids.by_ref().take(max).map(Into::into).collect();
        (!chunk.is_empty()).then_some(chunk)
    });
    Bulk::new(chunks.map(move |chunk| (chunk.clone(), call(chunk))), total)
}

/// A bulk job: a lazy stream of per-item outcomes with bounded concurrency. Get one from
/// [`Workspaces::create_many`](crate::Workspaces::create_many), [`Workspaces::update_many`](crate::Workspaces::update_many)
/// [`Members::add_all`](crate::Members::add_all) or [`Members::remove_all`](crate::Members::remove_all).
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) {
/// use futures_util::StreamExt;
/// use openrouter_workspaces::UpdateWorkspace;
///
/// let ids = ["staging", "qa", "preview"];
/// let job = client.workspaces().update_many(ids.map(|id| (id, UpdateWorkspace::new().clear_description())));
/// let total = job.total(); // Some(3): for a progress bar
/// let mut results = job.concurrency(4).stream();
/// while let Some(item) = results.next().await {
///     match item.result {
///         Ok(ws) => println!("{} updated", ws.slug),
///         Err(e) => eprintln!("{} failed: {e}", item.key),
///     }
/// }
/// # }
/// ```
///
/// # Under a rate limit
/// A `429` does not fail an item while its call has time: the request was not processed, so it is sent again
/// (whatever the method) when the client's rate limiter gives it a turn, bounded by the call's total deadline and
/// the retry budget, not by `max_attempts`. What the server's `429`s say changes how quickly the client finds its
/// pace, not whether the job succeeds (each shape below is one of the fake's `RateLimitShape`s, tested and
/// measured in `cargo xtask bench` W6):
/// - **a fixed window** whose `429`s say `X-RateLimit-Limit`/`Reset` (OpenRouter's documented headers): the client
///   waits for the window's end and paces itself at `Limit` per window from the first `429`;
/// - **a token bucket** whose `429`s point to the next token: the client starts at one request per that wait,
///   and measures the bucket's rate from what it accepts;
/// - **only `Retry-After` in whole seconds**, or **a bare `429`**: nothing to read, so the client probes from a
///   low rate, doubling it until the next `429`, then keeps to what the server accepted. A few more `429`s at the
///   start, no failed item.
///
/// Creates are still never replayed after a `5xx` or a lost answer ([`create_many`](crate::Workspaces::create_many)
/// looks the slug up instead), and other writes are replayed after a `5xx` only as the retry policy allows.
#[must_use = "a bulk job does nothing until its stream is polled or it is collected"]
pub struct Bulk<K, T, E = Error> {
    jobs: Box<dyn Iterator<Item = Job<K, T, E>> + Send>,
    total: Option<usize>,
    concurrency: usize,
}

impl<K, T, E> std::fmt::Debug for Bulk<K, T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bulk").field("total", &self.total).field("concurrency", &self.concurrency).finish()
    }
}

impl<K, T, E> Bulk<K, T, E>
where
    K: Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    /// A job over `jobs` (each a key and a lazy future); `total` is their number when known.
    pub(crate) fn new<I>(jobs: I, total: Option<usize>) -> Self
    where
        I: Iterator<Item = Job<K, T, E>> + Send + 'static,
    {
        Bulk { jobs: Box::new(jobs), total, concurrency: DEFAULT_BULK_CONCURRENCY }
    }

    /// How many calls are in flight at once (at least 1). Default [`DEFAULT_BULK_CONCURRENCY`].
    pub fn concurrency(mut self, calls: usize) -> Self {
        self.concurrency = calls.max(1);
        self
    }

    /// How many items the job has, when the input said (a `Vec`, an array or a range does): the length of a
    /// progress bar.
    pub fn total(&self) -> Option<usize> {
        self.total
    }

    /// The outcomes, as each item completes (not in input order: [`BulkItem::index`] says which input it was).
    /// At most `concurrency` calls are in flight, and none is started before the stream is polled. The stream is
    /// boxed (once per job), so it is `Unpin`, `Send` and `'static`.
    pub fn stream(self) -> BoxStream<'static, BulkItem<K, T, E>> {
        stream::iter(self.jobs.enumerate())
            .map(|(index, (key, job))| async move { BulkItem { index, key, result: job.await } })
            .buffer_unordered(self.concurrency)
            .boxed()
    }

    /// Runs the whole job and returns every outcome, in input order. Holds every outcome in memory: for a very
    /// large job, consume [`stream`](Self::stream) instead.
    pub async fn collect(self) -> Vec<BulkItem<K, T, E>> {
        let mut items: Vec<BulkItem<K, T, E>> = self.stream().collect().await;
        items.sort_unstable_by_key(|item| item.index);
        items
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn concurrency_is_bounded_inputs_are_read_lazily_and_failures_do_not_stop_the_rest() {
        let (running, peak, started) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (r, p, s) = (running.clone(), peak.clone(), started.clone());
        let jobs = (0..20u64).map(move |i| {
            s.fetch_add(1, Ordering::SeqCst);
            let (r, p) = (r.clone(), p.clone());
            let job: BoxFuture<'static, Result<u64, String>> = Box::pin(async move {
                let now = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(now, Ordering::SeqCst);
                // Later items finish first: the stream is in completion order.
                tokio::time::sleep(Duration::from_millis(100 - i * 5)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                if i % 7 == 3 { Err(format!("item {i} failed")) } else { Ok(i * 10) }
            });
            (format!("key-{i}"), job)
        });
        let bulk = Bulk::new(jobs, Some(20)).concurrency(4);
        assert_eq!(bulk.total(), Some(20));
        assert_eq!(started.load(Ordering::SeqCst), 0, "nothing starts before the stream is polled");
        let mut stream = bulk.stream();
        let first = stream.next().await.unwrap();
        assert!(started.load(Ordering::SeqCst) <= 5, "the input is read as slots free up");
        assert_ne!(first.index, 0);
        let mut rest: Vec<BulkItem<String, u64, String>> = stream.collect().await;
        rest.push(first);
        assert_eq!(rest.len(), 20);
        assert_eq!(peak.load(Ordering::SeqCst), 4);
        rest.sort_by_key(|item| item.index);
        for item in &rest {
            assert_eq!(item.key, format!("key-{}", item.index));
            match &item.result {
                Ok(v) => assert_eq!(*v, item.index as u64 * 10),
                Err(e) => assert_eq!(item.index % 7, 3, "{e}"),
            }
        }
        assert_eq!(rest.iter().filter(|i| i.result.is_err()).count(), 3, "items 3, 10 and 17 failed, the rest ran");
    }

    #[tokio::test]
    async fn collect_returns_input_order() {
        let jobs = (0..5usize).map(|i| {
            let job: BoxFuture<'static, Result<usize, Error>> = Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(i)
            });
            (i, job)
        });
        let items = Bulk::new(jobs, None).concurrency(5).collect().await;
        let order: Vec<usize> = items.iter().map(|i| i.index).collect();
        assert_eq!(order, [0, 1, 2, 3, 4]);
    }
}
