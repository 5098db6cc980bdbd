//! The default guardrail of one workspace ([`DefaultGuardrail`]): read and configure it, found through the
//! workspace's `default_guardrail_id`.

use std::future::Future;

use crate::Guardrail;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::requests::UpdateGuardrail;
use crate::validate::{Side, Validate};

/// The default guardrail of one workspace. Get it from
/// [`Workspaces::default_guardrail`](crate::Workspaces::default_guardrail); cheap to clone. Its futures own what
/// they need.
///
/// Every workspace names its default guardrail (`Workspace::default_guardrail_id`, derived from the workspace's
/// id), but the guardrail exists only once its configuration is first written: until then it is
/// **unconfigured**, and [`get`](Self::get) answers `Ok(None)` (the API answers `404`, which the official
/// Terraform provider reads the same way). [`update`](Self::update) configures it ("materializes" it) or changes
/// it. Each call first reads the workspace (one `GET /workspaces/{id}`) for the guardrail's id.
///
/// ```no_run
/// # async fn run(client: openrouter_workspaces::Client) -> Result<(), openrouter_workspaces::Error> {
/// use openrouter_workspaces::{GuardrailInterval, UpdateGuardrail};
/// let guardrail = client.workspaces().default_guardrail("acme");
/// if guardrail.get().await?.is_none() {
///     println!("acme's default guardrail is not configured yet");
/// }
/// let configured = guardrail
///     .update(UpdateGuardrail::new().limit_usd(50.0).reset_interval(GuardrailInterval::Monthly).allowed_providers(["openai"]))
///     .await?;
/// assert_eq!(configured.limit_usd, Some(50.0));
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DefaultGuardrail {
    client: Client,
    workspace: String,
}

impl DefaultGuardrail {
    pub(crate) fn new(client: Client, workspace: String) -> Self {
        DefaultGuardrail { client, workspace }
    }

    /// The workspace's default guardrail, or `None` while it is unconfigured (never written).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the workspace does not exist (an unconfigured guardrail is `Ok(None)`, not an
    /// error).
    pub fn get(&self) -> impl Future<Output = Result<Option<Guardrail>>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            let id = guardrail_id(&client, &workspace).await?;
            match client.get_guardrail(&id).await {
                Ok(body) => Ok(Some(body.data)),
                Err(Error::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            }
        }
    }

    /// Configures the workspace's default guardrail (the first write materializes it) and returns it as it now
    /// is. List fields replace: send the whole set you want. Its name is derived from the workspace and cannot
    /// be changed.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when a field breaks the spec's rules (nothing is sent);
    /// [`Error::BadRequest`](crate::Error::BadRequest) for a new name.
    pub fn update(&self, update: UpdateGuardrail) -> impl Future<Output = Result<Guardrail>> + Send + use<> {
        let (client, workspace) = (self.client.clone(), self.workspace.clone());
        async move {
            // Checked before the workspace is read, so that a bad update sends nothing (the checked call checks it
            // again, with the id).
            update.validate(Side::Client)?;
            let id = guardrail_id(&client, &workspace).await?;
            Ok(client.update_guardrail(&id, &update).await?.data)
        }
    }
}

/// The `default_guardrail_id` of the workspace with this id or slug.
async fn guardrail_id(client: &Client, workspace: &str) -> Result<String> {
    Ok(client.get_workspace(workspace).await?.data.default_guardrail_id)
}
