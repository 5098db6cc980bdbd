//! API keys: the keys of one workspace ([`WorkspaceKeys`]: list, create) and any key by its hash ([`Keys`]: get,
//! update, delete).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::operation as op;
use crate::pagination::OffsetPaginator;
use crate::requests::{CreateKey, UpdateKey};
use crate::validate;
use crate::{ApiKey, CreatedKey};

impl Client {
    /// API keys by their hash: get, update, delete. A workspace's keys (list, create) are
    /// [`Workspaces::keys`](crate::Workspaces::keys).
    pub fn keys(&self) -> Keys {
        Keys { client: self.clone() }
    }
}

/// API keys by their hash (`ApiKey::hash`). Get it from [`Client::keys`]; cheap to clone. Its futures own what
/// they need (see [`Workspaces`](crate::Workspaces)).
#[derive(Clone, Debug)]
pub struct Keys {
    client: Client,
}

impl Keys {
    /// The key with this hash.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none; an invalid hash is rejected before sending.
    pub fn get(&self, hash: &str) -> impl Future<Output = Result<ApiKey>> + Send + use<> {
        let (client, hash) = (self.client.clone(), hash.to_owned());
        async move { Ok(client.get_api_key(&hash).await?.data) }
    }

    /// Applies `update` to the key with this hash and returns it as it now is. A key cannot move to another
    /// workspace.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client, hash: String) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::UpdateKey;
    /// let key = client.keys().update(&hash, UpdateKey::new().disabled(true).clear_limit()).await?;
    /// assert!(key.disabled);
    /// # Ok(()) }
    /// ```
    pub fn update(&self, hash: &str, update: UpdateKey) -> impl Future<Output = Result<ApiKey>> + Send + use<> {
        let (client, hash) = (self.client.clone(), hash.to_owned());
        async move { Ok(client.update_api_key(&hash, &update).await?.data) }
    }

    /// Deletes the key with this hash.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none (a retried delete whose first attempt went through ends so too).
    pub fn delete(&self, hash: &str) -> impl Future<Output = Result<()>> + Send + use<> {
        let (client, hash) = (self.client.clone(), hash.to_owned());
        async move {
            client.delete_api_key(&hash).await?;
            Ok(())
        }
    }
}

/// The API keys of one workspace: list and create. Get it from [`Workspaces::keys`](crate::Workspaces::keys);
/// cheap to clone (clones share the workspace id once found). Its futures own what they need.
///
/// The API names the workspace of a key by its id (`workspace_id`). A handle made with an id (a UUID, such as
/// `&workspace.id`) uses it as is; one made with a slug looks the id up with one `GET /workspaces/{slug}` the
/// first time it needs it, and its clones reuse the answer.
///
/// Removing a workspace together with its keys (a workspace with active keys cannot be deleted):
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
/// let keys = client.workspaces().keys("acme").include_disabled(true).list().collect().await?;
/// for key in &keys {
///     client.keys().delete(&key.hash).await?;
/// }
/// client.workspaces().delete("acme").await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct WorkspaceKeys {
    client: Client,
    workspace: String,
    include_disabled: bool,
    id: Arc<OnceCell<String>>,
}

impl WorkspaceKeys {
    pub(crate) fn new(client: Client, workspace: String) -> Self {
        WorkspaceKeys { client, workspace, include_disabled: false, id: Arc::new(OnceCell::new()) }
    }

    /// Whether [`list`](Self::list) includes disabled keys (the API leaves them out by default).
    pub fn include_disabled(mut self, include: bool) -> Self {
        self.include_disabled = include;
        self
    }

    /// The workspace's id: the handle's own when it was made with one, else looked up (once per handle).
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such workspace.
    pub fn workspace_id(&self) -> impl Future<Output = Result<String>> + Send + use<> {
        let (client, workspace, id) = (self.client.clone(), self.workspace.clone(), self.id.clone());
        async move { resolve(&client, &workspace, &id).await.map(str::to_owned) }
    }

    /// The workspace's keys, as a lazy list paged by offset: see [`OffsetPaginator`] (cost, and ids never
    /// repeated).
    pub fn list(&self) -> OffsetPaginator<ApiKey> {
        let keys = self.clone();
        OffsetPaginator::new(move |offset| Box::pin(keys.list_page(offset)))
    }

    /// One page of the workspace's keys, from `offset` (the server picks how many).
    pub fn list_page(&self, offset: u64) -> impl Future<Output = Result<Vec<ApiKey>>> + Send + use<> {
        let this = self.clone();
        async move {
            let offset: i64 = validate::int_param(&op::LIST_API_KEYS_OFFSET, offset)?;
            let id = resolve(&this.client, &this.workspace, &this.id).await?;
            let include = this.include_disabled.then_some(true);
            Ok(this.client.list_api_keys(include, Some(offset), Some(id)).await?.data)
        }
    }

    /// Creates a key in the workspace. The answer holds its secret, [`CreatedKey::key`], a [`Secret`](crate::Secret)
    /// that the API shows this once and that this crate never prints: store it with `expose_secret()`.
    ///
    /// ```no_run
    /// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
    /// use openrouter_workspaces::{ApiKeyLimitReset, CreateKey};
    /// let created = client.workspaces().keys("acme").create(CreateKey::new("ci").limit(25.0).limit_reset(ApiKeyLimitReset::Monthly)).await?;
    /// println!("{} created: {}", created.data.name, created.key); // "[REDACTED]"
    /// let secret: &str = created.key.expose_secret();
    /// # let _ = secret; Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a field breaks the spec's rules or the request names another workspace
    /// (nothing is sent). Creating is not retried after it may have reached the server (unless the client's policy
    /// opts in): a second attempt would mint a second key.
    pub fn create(&self, key: CreateKey) -> impl Future<Output = Result<CreatedKey>> + Send + use<> {
        let this = self.clone();
        let mut key = key;
        async move {
            let id = resolve(&this.client, &this.workspace, &this.id).await?;
            match &key.workspace_id {
                Some(other) if other != id => {
                    return Err(Error::invalid(
                        "workspace_id",
                        "must be the handle's workspace (or left unset): a key is created in the workspace of \
                         `workspaces().keys(..)`",
                        other,
                    ));
                }
                _ => key.workspace_id = Some(id.to_owned()),
            }
            this.client.create_api_key(&key).await.map(|created| *created)
        }
    }
}

/// Whether `text` is a UUID in its hyphenated form (how the API writes ids; slugs are any other text).
pub(crate) fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The id of the workspace named `workspace` (an id or a slug): `workspace` itself when it is a UUID, else the
/// answer of `GET /workspaces/{workspace}`, kept in `cell`.
async fn resolve<'a>(client: &Client, workspace: &'a str, cell: &'a OnceCell<String>) -> Result<&'a str> {
    if is_uuid(workspace) {
        return Ok(workspace);
    }
    let id = cell.get_or_try_init(|| async { Ok::<_, Error>(client.get_workspace(workspace).await?.data.id) }).await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::is_uuid;

    #[test]
    fn uuids_are_told_from_slugs() {
        assert!(is_uuid("0df9e665-d932-5740-b2c7-b52af166bc11"));
        assert!(is_uuid("0DF9E665-D932-5740-B2C7-B52AF166BC11"));
        for slug in ["acme", "", "0df9e665-d932-5740-b2c7-b52af166bc1", "0df9e665d932-5740-b2c7-b52af166bc11-", "é"] {
            assert!(!is_uuid(slug), "{slug}");
        }
    }
}
