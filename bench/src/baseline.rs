//! The baseline: what a careful hand-written client does, with the same reqwest version and pool settings as the
//! SDK, and the same typed decode into a plain struct. No validation, retries, tracing or error mapping.

use serde::Deserialize;

/// A workspace, decoded field by field (the same fields the SDK's type has).
#[derive(Debug, Deserialize)]
#[allow(dead_code)] // Decoded for the cost of it; the benchmark reads only `id`.
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub default_guardrail_id: String,
    pub default_text_model: Option<String>,
    pub default_image_model: Option<String>,
    pub default_provider_sort: Option<String>,
    #[serde(default)]
    pub disabled_server_tools: Option<Vec<String>>,
    #[serde(default)]
    pub include_byok_in_budgets: Option<bool>,
    pub io_logging_api_key_ids: Option<Vec<i64>>,
    pub io_logging_sampling_rate: f64,
    pub is_data_discount_logging_enabled: bool,
    pub is_observability_broadcast_enabled: bool,
    pub is_observability_io_logging_enabled: bool,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub created_by: Option<String>,
}

#[derive(Deserialize)]
struct One {
    data: Workspace,
}

/// One page of the list.
#[derive(Deserialize)]
pub struct Page {
    pub data: Vec<Workspace>,
    pub total_count: u64,
}

/// The baseline client: a base URL, the bearer header, one `reqwest::Client`.
#[derive(Clone)]
pub struct Baseline {
    http: reqwest::Client,
    base_url: String,
    auth: reqwest::header::HeaderValue,
}

impl Baseline {
    /// A client with the SDK's defaults: 10 s connect timeout, 30 s per request, the default pool.
    pub fn new(base_url: &str, key: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .user_agent("baseline/0")
            .build()?;
        let mut auth = reqwest::header::HeaderValue::from_str(&format!("Bearer {key}"))?;
        auth.set_sensitive(true);
        Ok(Baseline { http, base_url: base_url.to_owned(), auth })
    }

    /// `GET /workspaces/{id}`.
    pub async fn get(&self, id: &str) -> reqwest::Result<Workspace> {
        let url = format!("{}/workspaces/{id}", self.base_url);
        let response = self.http.get(url).header(reqwest::header::AUTHORIZATION, self.auth.clone()).send().await?;
        Ok(response.error_for_status()?.json::<One>().await?.data)
    }

    /// `GET /workspaces?offset=&limit=`.
    pub async fn page(&self, offset: u64, limit: u32) -> reqwest::Result<Page> {
        let url = format!("{}/workspaces?offset={offset}&limit={limit}", self.base_url);
        let response = self.http.get(url).header(reqwest::header::AUTHORIZATION, self.auth.clone()).send().await?;
        response.error_for_status()?.json::<Page>().await
    }
}
