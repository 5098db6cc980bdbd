//! Offset/limit pagination as lazy streams, for `listWorkspaces` and `listWorkspaceMembers` ([`Paginator`]); and
//! offset-only pagination, for `listApiKeys`, which has no `limit` and no `total_count` ([`OffsetPaginator`]).
//!
//! # Cost
//! Nothing is sent until a stream is polled. Enumerating `N` items at page size `L` costs exactly
//! `ceil(N / L)` requests (one when `N` is 0): the stream stops as soon as `offset + items seen` reaches the
//! `total_count` the server reported, instead of asking for one more, empty page.
//!
//! # Memory
//! Streams hold one page at a time. [`Paginator::collect`] is the only part that accumulates.
//!
//! # When the server misbehaves, or the list changes during a scan
//! - An empty page before `total_count` is reached ends the stream (with a `tracing` warning): the list shrank.
//! - A page that repeats any page seen before in this stream ends the stream (with a warning) instead of looping:
//!   a server that answers A, B, A, B, ... stops after B. A page is recognized by its first item's id; the
//!   stream remembers one id per page (a few bytes each).
//! - A page whose next offset would pass `u64::MAX` ends the stream after its items (with a warning).
//! - `total_count` is re-read from every page. If it is larger than the real list, the stream ends at the first
//!   empty page; if it is smaller, the stream ends at `total_count` items.
//! - Offsets move while you scan: an item created before your position shifts the rest by one (you may see an
//!   item twice), and an item deleted before your position shifts them back (you may miss one). Sort or dedupe
//!   by id if that matters.

// No panics on any input: no unchecked arithmetic, no indexing that can be out of bounds (string slicing is
// refused crate-wide, in lib.rs).
#![cfg_attr(not(test), warn(clippy::arithmetic_side_effects, clippy::indexing_slicing))]

use std::collections::HashSet;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};

use crate::error::Result;
use crate::operation::Parameter;
use crate::validate;

/// The query of one page, checked against the operation's `limit` and `offset` parameters, as the generated
/// client takes it.
pub(crate) fn page_query(
    limit_param: &Parameter,
    offset_param: &Parameter,
    offset: u64,
    limit: u32,
) -> Result<(Option<std::num::NonZeroU64>, Option<i64>)> {
    let limit: u64 = validate::int_param(limit_param, limit)?;
    let offset: i64 = validate::int_param(offset_param, offset)?;
    Ok((std::num::NonZeroU64::new(limit), Some(offset)))
}

/// A count the server reported; a negative one (which the spec does not forbid, but means nothing) is 0.
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One page of a list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items the whole list holds, as the server reported with this page.
    pub total_count: u64,
    /// The offset this page starts at.
    pub offset: u64,
    /// The page size asked for.
    pub limit: u32,
}

impl<T> Page<T> {
    /// The offset of the next page (at most `u64::MAX`).
    pub fn next_offset(&self) -> u64 {
        self.checked_next_offset().unwrap_or(u64::MAX)
    }

    /// The offset of the next page, `None` past `u64::MAX`.
    fn checked_next_offset(&self) -> Option<u64> {
        u64::try_from(self.items.len()).ok().and_then(|n| self.offset.checked_add(n))
    }

    /// Whether the server reported more items after this page.
    pub fn has_more(&self) -> bool {
        !self.items.is_empty() && self.next_offset() < self.total_count
    }
}

/// Items with an identity, so a page that repeats can be recognized: the crate's listed models
/// ([`Workspace`](crate::Workspace), [`WorkspaceMember`](crate::WorkspaceMember)). Sealed: only this crate
/// implements it:
///
/// ```compile_fail
/// struct Mine;
/// impl openrouter_workspaces::Keyed for Mine {
///     fn key(&self) -> &str { "mine" }
/// }
/// ```
pub trait Keyed: sealed::Sealed {
    /// The item's id.
    fn key(&self) -> &str;
}

mod sealed {
    /// Keeps [`Keyed`](super::Keyed) to the crate's own types.
    pub trait Sealed {}
    impl Sealed for crate::Workspace {}
    impl Sealed for crate::WorkspaceMember {}
    impl Sealed for crate::ApiKey {}
    #[cfg(test)]
    impl Sealed for super::tests::Item {}
}

impl Keyed for crate::Workspace {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for crate::WorkspaceMember {
    fn key(&self) -> &str {
        &self.id
    }
}

impl Keyed for crate::ApiKey {
    fn key(&self) -> &str {
        &self.hash
    }
}

type Fetch<T> = Arc<dyn Fn(u64, u32) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync>;

/// A lazy, paginated list. Get one from [`Workspaces::list`](crate::Workspaces::list) or
/// [`Members::list`](crate::Members::list), then pick how to consume it.
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
/// use futures_util::TryStreamExt;
///
/// // One item at a time, 100 per request:
/// let mut items = client.workspaces().list().page_size(100).items();
/// while let Some(workspace) = items.try_next().await? {
///     println!("{}", workspace.slug);
/// }
/// // Or everything at once:
/// let all = client.workspaces().list().collect().await?;
/// # Ok(()) }
/// ```
#[must_use = "a paginator does nothing until one of its streams is polled"]
pub struct Paginator<T> {
    fetch: Fetch<T>,
    limit: &'static Parameter,
    page_size: u32,
    start: u64,
}

impl<T> Clone for Paginator<T> {
    fn clone(&self) -> Self {
        Paginator { fetch: self.fetch.clone(), limit: self.limit, page_size: self.page_size, start: self.start }
    }
}

impl<T> std::fmt::Debug for Paginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Paginator").field("page_size", &self.page_size).field("start", &self.start).finish()
    }
}

/// Where a walk through the pages stands: the next offset, the page size, the total once known, and the pages
/// seen (the state of [`Paginator::pages`]'s stream).
struct Cursor<T> {
    fetch: Fetch<T>,
    limit: u32,
    offset: u64,
    total: Option<u64>,
    /// The first id of every page so far: a page that starts with one of them is a repeat.
    firsts: HashSet<String>,
    done: bool,
}

impl<T: Keyed + Send + 'static> Paginator<T> {
    /// A paginator over an operation whose page size is its query parameter `limit`; the page size starts at
    /// the parameter's default in the spec (its maximum if it has none).
    pub(crate) fn new<F>(limit: &'static Parameter, fetch: F) -> Self
    where
        F: Fn(u64, u32) -> BoxFuture<'static, Result<Page<T>>> + Send + Sync + 'static,
    {
        let bound = |b: Option<validate::Bound>| match b {
            Some(validate::Bound::Integer(n)) => u32::try_from(n).ok(),
            _ => None,
        };
        let default = limit.schema.default.and_then(|d| d.parse::<u32>().ok());
        let page_size = default.or(bound(limit.schema.maximum)).unwrap_or(1);
        Paginator { fetch: Arc::new(fetch), limit, page_size, start: 0 }
    }

    /// Items per request, within the bounds the spec gives the operation's `limit` (1 to 100 today; the default is
    /// the spec's, 50 today: see [`limits`](crate::limits)). Checked when the stream is first polled: an invalid
    /// size is its first and only item, an [`Error::InvalidInput`](crate::Error::InvalidInput), and nothing is
    /// sent.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size;
        self
    }

    /// Start at this offset instead of 0.
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.start = offset;
        self
    }

    /// The pages, one request each, fetched as the stream is polled. Ends after the first error.
    ///
    /// The stream is boxed (once per stream, not per item), so it is `Unpin`: `try_next().await` works on it
    /// directly. Its trait is `futures_core::Stream` (as `futures_util::stream::BoxStream` names it), the async
    /// ecosystem's stable stream trait: the one foreign trait of this crate's API, on purpose.
    pub fn pages(self) -> BoxStream<'static, Result<Page<T>>> {
        let limit_param = self.limit;
        let cursor = Cursor {
            fetch: self.fetch,
            limit: self.page_size,
            offset: self.start,
            total: None,
            firsts: HashSet::new(),
            done: false,
        };
        stream::unfold(cursor, move |mut s| async move {
            if s.done || s.total.is_some_and(|total| s.offset >= total) {
                return None;
            }
            if let Err(e) = validate::int_param::<u32>(limit_param, s.limit) {
                s.done = true;
                return Some((Err(e), s));
            }
            let page = match (s.fetch)(s.offset, s.limit).await {
                Ok(page) => page,
                Err(e) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
            };
            let Some(first) = page.items.first().map(|item| item.key()) else {
                if page.offset < page.total_count {
                    tracing::warn!(
                        offset = page.offset,
                        total_count = page.total_count,
                        "empty page before total_count; the list shrank, stopping"
                    );
                }
                return None;
            };
            if s.firsts.contains(first) {
                tracing::warn!(offset = page.offset, first_id = first, "the server repeated a page; stopping");
                return None;
            }
            s.firsts.insert(first.to_owned());
            match page.checked_next_offset() {
                Some(next) => s.offset = next,
                None => {
                    tracing::warn!(
                        offset = page.offset,
                        "the next offset would pass u64::MAX; stopping after this page"
                    );
                    s.done = true;
                }
            }
            s.total = Some(page.total_count);
            Some((Ok(page), s))
        })
        .boxed()
    }

    /// The items, page by page, fetched as the stream is polled. Ends after the first error.
    pub fn items(self) -> BoxStream<'static, Result<T>> {
        self.pages().map_ok(|page| stream::iter(page.items.into_iter().map(Ok))).try_flatten().boxed()
    }

    /// Every item, in one `Vec`.
    ///
    /// # Errors
    /// The first error of any request, or an invalid page size.
    pub async fn collect(self) -> Result<Vec<T>> {
        self.items().try_collect().await
    }
}

type FetchFrom<T> = Arc<dyn Fn(u64) -> BoxFuture<'static, Result<Vec<T>>> + Send + Sync>;

/// A lazy list that pages by `offset` alone: the server picks the page size and reports no total
/// ([`WorkspaceKeys::list`](crate::WorkspaceKeys::list)).
///
/// # Cost
/// Nothing is sent until a stream is polled. Each request asks for the items from the next offset. The stream
/// ends after a **short** page (fewer items than the largest page seen so far, so the server had no more) or at
/// an **empty** one: `N >= P` items served `P` at a time cost `floor(N / P) + 1` requests, a list that fits in one
/// page two (the first page cannot be known to be short), an empty list one.
///
/// # When the server misbehaves, or the list changes during a scan
/// - **Ids are never repeated**: an item whose id the stream has already yielded is dropped (an item created
///   before your position shifts the rest by one). The stream remembers every id it yielded (a few bytes each).
/// - A page that brings no new id ends the stream (with a `tracing` warning) instead of looping.
/// - A page whose next offset would pass `u64::MAX` ends the stream after its items (with a warning).
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
/// use futures_util::TryStreamExt;
///
/// let mut keys = client.workspaces().keys("production").list().items();
/// while let Some(key) = keys.try_next().await? {
///     println!("{} {}", key.name, key.label);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a paginator does nothing until one of its streams is polled"]
pub struct OffsetPaginator<T> {
    fetch: FetchFrom<T>,
    start: u64,
}

impl<T> Clone for OffsetPaginator<T> {
    fn clone(&self) -> Self {
        OffsetPaginator { fetch: self.fetch.clone(), start: self.start }
    }
}

impl<T> std::fmt::Debug for OffsetPaginator<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OffsetPaginator").field("start", &self.start).finish_non_exhaustive()
    }
}

/// Where an offset-only walk stands (the state of [`OffsetPaginator::pages`]'s stream).
struct OffsetCursor<T> {
    fetch: FetchFrom<T>,
    offset: u64,
    /// The largest page so far: a page with fewer items is the last.
    largest: usize,
    /// Every id yielded so far.
    seen: HashSet<String>,
    done: bool,
}

impl<T: Keyed + Send + 'static> OffsetPaginator<T> {
    /// A paginator over an operation that takes an offset and answers with the items from there.
    pub(crate) fn new<F>(fetch: F) -> Self
    where
        F: Fn(u64) -> BoxFuture<'static, Result<Vec<T>>> + Send + Sync + 'static,
    {
        OffsetPaginator { fetch: Arc::new(fetch), start: 0 }
    }

    /// Start at this offset instead of 0.
    pub fn starting_at(mut self, offset: u64) -> Self {
        self.start = offset;
        self
    }

    /// The pages (their items not yielded before), one request each, fetched as the stream is polled. Ends
    /// after the first error. `Unpin`, like [`Paginator::pages`].
    pub fn pages(self) -> BoxStream<'static, Result<Vec<T>>> {
        let cursor =
            OffsetCursor { fetch: self.fetch, offset: self.start, largest: 0, seen: HashSet::new(), done: false };
        stream::unfold(cursor, |mut s| async move {
            if s.done {
                return None;
            }
            let items = match (s.fetch)(s.offset).await {
                Ok(items) => items,
                Err(e) => {
                    s.done = true;
                    return Some((Err(e), s));
                }
            };
            let len = items.len();
            if len == 0 {
                return None;
            }
            let fresh: Vec<T> = items.into_iter().filter(|item| s.seen.insert(item.key().to_owned())).collect();
            if fresh.is_empty() {
                tracing::warn!(offset = s.offset, "the server repeated a page (no new id); stopping");
                return None;
            }
            match u64::try_from(len).ok().and_then(|n| s.offset.checked_add(n)) {
                Some(next) => s.offset = next,
                None => {
                    tracing::warn!(offset = s.offset, "the next offset would pass u64::MAX; stopping after this page");
                    s.done = true;
                }
            }
            if len < s.largest {
                s.done = true;
            }
            s.largest = s.largest.max(len);
            Some((Ok(fresh), s))
        })
        .boxed()
    }

    /// The items, page by page, fetched as the stream is polled. Ends after the first error.
    pub fn items(self) -> BoxStream<'static, Result<T>> {
        self.pages().map_ok(|page| stream::iter(page.into_iter().map(Ok))).try_flatten().boxed()
    }

    /// Every item, in one `Vec`.
    ///
    /// # Errors
    /// The first error of any request.
    pub async fn collect(self) -> Result<Vec<T>> {
        self.items().try_collect().await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug)]
    pub(super) struct Item(String);

    impl Keyed for Item {
        fn key(&self) -> &str {
            &self.0
        }
    }

    /// A paginator over a server that answers its `n`-th request with `script[n % len]`'s ids (3 per page) and
    /// a `total_count` that never runs out; the count of requests it answered.
    fn scripted(script: &'static [[&'static str; 3]]) -> (Paginator<Item>, Arc<AtomicUsize>) {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let paginator = Paginator::new(&crate::operation::LIST_WORKSPACES_LIMIT, move |offset, limit| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let ids = script[n % script.len()];
            let items = ids.iter().map(|id| Item((*id).to_owned())).collect();
            Box::pin(async move {
                // As a real request would, let the runtime run (the test's timeout among it).
                tokio::task::yield_now().await;
                Ok(Page { items, total_count: u64::MAX, offset, limit })
            })
        });
        (paginator.page_size(3), requests)
    }

    fn ids(items: Vec<Item>) -> Vec<String> {
        items.into_iter().map(|i| i.0).collect()
    }

    #[tokio::test]
    async fn any_repeated_page_ends_the_stream() {
        for (script, expected, requests) in [
            // A, B, A, B, ...: only the previous page was compared before, and this never ended.
            (&[["a1", "a2", "a3"], ["b1", "b2", "b3"]][..], &["a1", "a2", "a3", "b1", "b2", "b3"][..], 3),
            // A, B, C, B: a repeat further back.
            (
                &[["a1", "a2", "a3"], ["b1", "b2", "b3"], ["c1", "c2", "c3"], ["b1", "b2", "b3"]][..],
                &["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"][..],
                4,
            ),
            // The same page again and again.
            (&[["a1", "a2", "a3"]][..], &["a1", "a2", "a3"][..], 2),
        ] {
            let (paginator, count) = scripted(script);
            let collected = tokio::time::timeout(std::time::Duration::from_secs(5), paginator.collect())
                .await
                .expect("the stream ended")
                .expect("no error");
            assert_eq!(ids(collected), expected);
            assert_eq!(count.load(Ordering::SeqCst), requests);
        }
    }

    /// An offset-only paginator over `list` served `page` at a time (`answer` may rewrite each answer); the
    /// count of requests.
    fn offset_only(
        list: Vec<String>,
        page: usize,
        answer: fn(usize, Vec<String>) -> Vec<String>,
    ) -> (OffsetPaginator<Item>, Arc<AtomicUsize>) {
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = requests.clone();
        let paginator = OffsetPaginator::new(move |offset| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let from = usize::try_from(offset).unwrap().min(list.len());
            let ids = answer(n, list[from..(from + page).min(list.len())].to_vec());
            Box::pin(async move { Ok(ids.into_iter().map(Item).collect()) })
        });
        (paginator, requests)
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i}")).collect()
    }

    #[tokio::test]
    async fn offset_only_pages_stop_at_a_short_or_empty_page() {
        for (n, page, requests) in [(0, 10, 1), (3, 10, 2), (10, 10, 2), (25, 10, 3), (30, 10, 4)] {
            let (paginator, count) = offset_only(names(n), page, |_, ids| ids);
            let items = paginator.collect().await.expect("no error");
            assert_eq!(ids(items), names(n), "{n} items");
            assert_eq!(count.load(Ordering::SeqCst), requests, "{n} items, {page} per page");
        }
    }

    #[tokio::test]
    async fn offset_only_pages_never_repeat_an_id_and_end_on_a_page_with_nothing_new() {
        // The list shifted by one between pages: the second page starts with the first page's last id.
        let (paginator, _) = offset_only(names(6), 3, |n, mut ids| {
            if n == 1 {
                ids.insert(0, "k2".into());
                ids.pop();
            }
            ids
        });
        let items = ids(paginator.collect().await.expect("no error"));
        let unique: HashSet<&String> = items.iter().collect();
        assert_eq!(unique.len(), items.len(), "{items:?}");
        // A server that answers the same page for every offset: one page, then a stop.
        let (paginator, count) = offset_only(names(3), 3, |_, _| vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(ids(paginator.collect().await.expect("no error")), ["a", "b", "c"]);
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn an_offset_that_cannot_move_on_ends_the_stream_after_its_page() {
        let (paginator, count) = scripted(&[["a1", "a2", "a3"], ["b1", "b2", "b3"]]);
        let items = paginator.starting_at(u64::MAX - 1).collect().await.expect("no error");
        assert_eq!(ids(items), ["a1", "a2", "a3"]);
        assert_eq!(count.load(Ordering::SeqCst), 1);
        let page = Page { items: vec![Item("x".into())], total_count: u64::MAX, offset: u64::MAX, limit: 1 };
        assert_eq!(page.next_offset(), u64::MAX, "saturates instead of overflowing");
        assert!(!page.has_more());
    }
}
