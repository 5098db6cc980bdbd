//! Pagination: exact request counts, laziness, and servers that misbehave.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::TryStreamExt;
use openrouter_workspaces::fake::FakeServer;
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{Client, Error};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A fake with exactly `n` workspaces.
async fn fake_with(n: usize) -> (FakeServer, Client) {
    let server = FakeServer::builder().seed_workspaces(n.saturating_sub(1)).start().await.unwrap();
    let client = server.client();
    if n == 0 {
        client.workspaces().delete("default").confirm_default_workspace_deletion().await.unwrap();
    }
    server.clear_requests();
    (server, client)
}

#[tokio::test]
async fn enumerating_n_items_costs_exactly_ceil_n_over_l_requests() {
    const L: u32 = 5;
    for n in [0usize, 1, 4, 5, 6, 50] {
        let (server, client) = fake_with(n).await;
        let items = client.workspaces().list().page_size(L).collect().await.unwrap();
        assert_eq!(items.len(), n);
        let expected = n.div_ceil(L as usize).max(1);
        assert_eq!(server.request_count(OperationId::ListWorkspaces), expected, "N = {n}, L = {L}");
        // The pages are in order and cover the list once.
        let ids: std::collections::BTreeSet<&str> = items.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids.len(), n);
        let queries: Vec<String> = server
            .requests()
            .iter()
            .map(|r| r.query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"))
            .collect();
        assert_eq!(queries.first().map(String::as_str), Some("limit=5&offset=0"));
    }
}

#[tokio::test]
async fn the_page_stream_reports_totals_and_members_paginate_too() {
    let (server, client) = fake_with(12).await;
    let pages: Vec<_> = client.workspaces().list().page_size(5).pages().try_collect().await.unwrap();
    let shape: Vec<(u64, usize, u64, bool)> =
        pages.iter().map(|p| (p.offset, p.items.len(), p.total_count, p.has_more())).collect();
    assert_eq!(shape, [(0, 5, 12, true), (5, 5, 12, true), (10, 2, 12, false)]);
    let page = client.workspaces().list_page(10, 100).await.unwrap();
    assert_eq!((page.items.len(), page.total_count), (2, 12));
    let rest = client.workspaces().list().starting_at(10).collect().await.unwrap();
    assert_eq!(rest.len(), 2);

    let members = client.workspaces().members("default").list().page_size(3).collect().await.unwrap();
    assert_eq!(members.len(), 4);
    assert_eq!(server.request_count(OperationId::ListWorkspaceMembers), 2);
}

/// A server that answers every list request from `answer(offset, limit)` and counts the requests.
async fn canned(answer: fn(u64, u64) -> Value) -> (Client, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf);
                let target = head.split_whitespace().nth(1).unwrap_or("/");
                let param = |name: &str| {
                    target
                        .split(['?', '&'])
                        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0)
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let body = answer(param("offset"), param("limit")).to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    let client =
        Client::builder().ignore_env().api_key("k").base_url(format!("http://127.0.0.1:{port}")).build().unwrap();
    (client, count)
}

fn workspace(i: u64) -> Value {
    json!({
        "id": format!("id-{i}"), "name": format!("W{i}"), "slug": format!("w{i}"), "description": null,
        "default_guardrail_id": "g", "default_text_model": null, "default_image_model": null,
        "default_provider_sort": null, "io_logging_api_key_ids": null, "io_logging_sampling_rate": 1.0,
        "is_data_discount_logging_enabled": true, "is_observability_broadcast_enabled": false,
        "is_observability_io_logging_enabled": false, "created_at": "t", "updated_at": null, "created_by": null
    })
}

fn page(from: u64, to: u64, total: u64) -> Value {
    json!({ "data": (from..to).map(workspace).collect::<Vec<_>>(), "total_count": total })
}

#[tokio::test]
async fn an_empty_page_before_total_count_ends_the_stream() {
    // Claims 100 items but has 7.
    let (client, count) = canned(|offset, limit| page(offset.min(7), (offset + limit).min(7), 100)).await;
    let items = client.workspaces().list().page_size(5).collect().await.unwrap();
    assert_eq!(items.len(), 7);
    assert_eq!(count.load(Ordering::SeqCst), 3, "two pages with items, one empty page, then stop");
}

#[tokio::test]
async fn a_repeated_page_ends_the_stream_instead_of_looping() {
    // Ignores the offset: always the first page.
    let (client, count) = canned(|_, limit| page(0, limit, 1000)).await;
    let items = client.workspaces().list().page_size(10).collect().await.unwrap();
    assert_eq!(items.len(), 10);
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_total_count_smaller_than_the_list_bounds_the_scan() {
    // Has 50 items but claims 12.
    let (client, count) = canned(|offset, limit| page(offset.min(50), (offset + limit).min(50), 12)).await;
    let items = client.workspaces().list().page_size(5).collect().await.unwrap();
    assert_eq!(items.len(), 15, "the stream stops at the page that reaches total_count");
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_short_page_is_followed_by_the_next_offset() {
    // Serves at most 3 per page whatever the limit, with an honest total.
    let (client, count) = canned(|offset, _| page(offset.min(8), (offset + 3).min(8), 8)).await;
    let items = client.workspaces().list().page_size(5).collect().await.unwrap();
    assert_eq!(items.iter().map(|w| w.id.as_str()).collect::<Vec<_>>().len(), 8);
    assert_eq!(count.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn an_invalid_page_size_is_the_only_item_and_nothing_is_sent() {
    let (client, count) = canned(|_, _| page(0, 0, 0)).await;
    let mut pages = client.workspaces().list().page_size(0).pages();
    assert!(matches!(pages.try_next().await, Err(Error::InvalidInput(_))));
    assert!(matches!(pages.try_next().await, Ok(None)));
    assert_eq!(count.load(Ordering::SeqCst), 0);
}

/// `listApiKeys` pages by offset alone (no `limit`, no `total_count`): the stream stops at a short page or an empty
/// one, so `N >= P` keys served `P` per page cost `floor(N / P) + 1` requests, and a workspace named by its slug costs
/// one lookup of its id per handle.
#[tokio::test]
async fn offset_only_key_lists_stop_at_a_short_or_empty_page() {
    const P: usize = 3;
    for (n, expected) in [(0usize, 1usize), (2, 2), (3, 2), (7, 3), (9, 4)] {
        let server = FakeServer::builder().key_page_size(P).start().await.unwrap();
        let client = server.client();
        let ws = client.workspaces().create(openrouter_workspaces::CreateWorkspace::new("K", "k")).await.unwrap();
        for i in 0..n {
            client
                .workspaces()
                .keys(&ws.id)
                .create(openrouter_workspaces::CreateKey::new(format!("k{i}")))
                .await
                .unwrap();
        }
        server.clear_requests();
        let keys = client.workspaces().keys("k");
        let listed = keys.list().collect().await.unwrap();
        assert_eq!(
            listed.iter().map(|k| k.name.clone()).collect::<Vec<_>>(),
            (0..n).map(|i| format!("k{i}")).collect::<Vec<_>>()
        );
        assert_eq!(server.request_count(OperationId::ListApiKeys), expected, "N = {n}, P = {P}");
        assert_eq!(server.request_count(OperationId::GetWorkspace), 1, "the slug is looked up once");
        keys.list().collect().await.unwrap();
        assert_eq!(server.request_count(OperationId::GetWorkspace), 1, "and once only, per handle");
        let offsets: Vec<String> = server
            .requests()
            .iter()
            .filter(|r| r.operation_id == Some(OperationId::ListApiKeys))
            .filter_map(|r| r.query.iter().find(|(k, _)| k == "offset").map(|(_, v)| v.clone()))
            .take(expected)
            .collect();
        // Each request asks from where the previous page ended.
        let wanted: Vec<String> = (0..expected).map(|i| (i * P).min(n).to_string()).collect();
        assert_eq!(offsets, wanted, "N = {n}");
    }
}
