//! The fake's data and business rules, without HTTP: workspaces, memberships and budgets, as the API's
//! descriptions state them. Every rule violation is a [`Failure`] with a status the spec documents.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::Value;

use crate::enums::{BudgetInterval, ServerTool, WorkspaceMemberRole};
use crate::raw::types::{Workspace, WorkspaceBudget, WorkspaceMember};

/// A member of the fake organization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgUser {
    /// The user id, e.g. `user_admin`.
    pub user_id: String,
    /// The role the user holds in the organization (and so in every workspace).
    pub role: WorkspaceMemberRole,
}

impl OrgUser {
    /// A user with this id and role.
    pub fn new(user_id: impl Into<String>, role: WorkspaceMemberRole) -> Self {
        OrgUser { user_id: user_id.into(), role }
    }

    /// The organization seeded by default: `user_admin` (admin, the creator of workspaces), `user_alice`,
    /// `user_bob` and `user_carol` (members).
    pub fn default_org() -> Vec<OrgUser> {
        vec![
            OrgUser::new("user_admin", WorkspaceMemberRole::Admin),
            OrgUser::new("user_alice", WorkspaceMemberRole::Member),
            OrgUser::new("user_bob", WorkspaceMemberRole::Member),
            OrgUser::new("user_carol", WorkspaceMemberRole::Member),
        ]
    }
}

/// A rule violation: the status and the message of the documented error body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub(crate) status: u16,
    pub(crate) message: String,
}

pub(crate) fn bad(message: impl Into<String>) -> Failure {
    Failure { status: 400, message: message.into() }
}

fn not_found(what: &str, id: &str) -> Failure {
    Failure { status: 404, message: format!("{what} {id:?} not found") }
}

pub(crate) type Outcome = Result<Value, Failure>;

/// Namespace of the fake's derived ids (UUID v5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f70656e_726f_7574_6572_66616b650001);

fn derived_id(parts: &[&str]) -> String {
    uuid::Uuid::new_v5(&NAMESPACE, parts.join("\u{0}").as_bytes()).to_string()
}

struct Entry {
    workspace: Workspace,
    is_default: bool,
    /// Explicit memberships: user id -> membership (the default workspace has none; its members are implicit).
    members: BTreeMap<String, WorkspaceMember>,
    budgets: BTreeMap<u8, WorkspaceBudget>,
}

/// The fake's whole state.
pub(crate) struct State {
    org: Vec<OrgUser>,
    entries: Vec<Entry>,
    last_timestamp: String,
}

/// Budget intervals from narrowest to widest: limits must strictly increase along this order.
fn rank(interval: &BudgetInterval) -> Option<u8> {
    match interval {
        BudgetInterval::Daily => Some(0),
        BudgetInterval::Weekly => Some(1),
        BudgetInterval::Monthly => Some(2),
        BudgetInterval::Lifetime => Some(3),
        BudgetInterval::Unknown(_) => None,
    }
}

const INTERVALS: [BudgetInterval; 4] =
    [BudgetInterval::Daily, BudgetInterval::Weekly, BudgetInterval::Monthly, BudgetInterval::Lifetime];

fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// The body of createWorkspace, strictly: unknown fields are rejected.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateBody {
    name: String,
    slug: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    default_text_model: Option<String>,
    #[serde(default)]
    default_image_model: Option<String>,
    #[serde(default)]
    default_provider_sort: Option<String>,
    #[serde(default)]
    disabled_server_tools: Option<Vec<StrictTool>>,
    #[serde(default)]
    io_logging_api_key_ids: Option<Vec<i64>>,
    #[serde(default)]
    io_logging_sampling_rate: Option<f64>,
    #[serde(default)]
    is_data_discount_logging_enabled: Option<bool>,
    #[serde(default)]
    is_observability_broadcast_enabled: Option<bool>,
    #[serde(default)]
    is_observability_io_logging_enabled: Option<bool>,
}

fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The body of updateWorkspace, strictly; `Some(None)` is an explicit `null`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateBody {
    #[serde(default, deserialize_with = "present")]
    name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    default_text_model: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    default_image_model: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    default_provider_sort: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    disabled_server_tools: Option<Option<Vec<StrictTool>>>,
    #[serde(default, deserialize_with = "present")]
    io_logging_api_key_ids: Option<Option<Vec<i64>>>,
    #[serde(default, deserialize_with = "present")]
    io_logging_sampling_rate: Option<Option<f64>>,
    #[serde(default, deserialize_with = "present")]
    is_data_discount_logging_enabled: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    is_observability_broadcast_enabled: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    is_observability_io_logging_enabled: Option<Option<bool>>,
}

/// The body of upsertWorkspaceBudget, strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpsertBody {
    limit_usd: f64,
    #[serde(default)]
    include_byok_in_budgets: Option<bool>,
}

/// The body of bulk add and bulk remove, strictly.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserIdsBody {
    user_ids: Vec<String>,
}

/// A server tool the server accepts: only the listed values (the SDK's enum is open; the server's set is not).
pub(crate) struct StrictTool(ServerTool);

impl<'de> Deserialize<'de> for StrictTool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tool = ServerTool::deserialize(d)?;
        if tool.is_unknown() {
            return Err(serde::de::Error::custom(format!("unknown server tool {:?}", tool.as_str())));
        }
        Ok(StrictTool(tool))
    }
}

fn tools(list: Vec<StrictTool>) -> Option<Vec<String>> {
    // "An empty array or null clears the list."
    (!list.is_empty()).then(|| list.into_iter().map(|t| t.0.as_str().to_owned()).collect())
}

fn check(result: crate::Result<()>) -> Result<(), Failure> {
    result.map_err(|e| bad(e.to_string()))
}

fn not_null<T>(field: &str, value: Option<T>) -> Result<T, Failure> {
    value.ok_or_else(|| bad(format!("{field} cannot be null")))
}

impl State {
    pub(crate) fn new(org: Vec<OrgUser>) -> State {
        let mut state = State { org, entries: Vec::new(), last_timestamp: String::new() };
        let now = state.now();
        let id = derived_id(&["default-workspace"]);
        let workspace = state.new_workspace(id, "Default Workspace".into(), "default".into(), now);
        state.entries.push(Entry { workspace, is_default: true, members: BTreeMap::new(), budgets: BTreeMap::new() });
        state
    }

    /// An ISO 8601 timestamp, strictly later than the previous one (so `updated_at` always changes).
    fn now(&mut self) -> String {
        let mut now = SystemTime::now();
        loop {
            let stamp = humantime::format_rfc3339_millis(now).to_string();
            if stamp > self.last_timestamp {
                self.last_timestamp = stamp.clone();
                return stamp;
            }
            now += std::time::Duration::from_millis(1);
        }
    }

    fn creator(&self) -> Option<String> {
        self.org.first().map(|u| u.user_id.clone())
    }

    fn new_workspace(&self, id: String, name: String, slug: String, now: String) -> Workspace {
        Workspace {
            extra: Default::default(),
            default_guardrail_id: derived_id(&["guardrail", &id]),
            id,
            name,
            slug,
            description: None,
            default_text_model: None,
            default_image_model: None,
            default_provider_sort: None,
            disabled_server_tools: None,
            include_byok_in_budgets: Some(false),
            io_logging_api_key_ids: None,
            io_logging_sampling_rate: 1.0,
            is_data_discount_logging_enabled: true,
            is_observability_broadcast_enabled: false,
            is_observability_io_logging_enabled: false,
            created_at: now.clone(),
            updated_at: Some(now),
            created_by: self.creator(),
        }
    }

    fn find(&self, id_or_slug: &str) -> Result<usize, Failure> {
        self.entries
            .iter()
            .position(|e| e.workspace.id == id_or_slug || e.workspace.slug == id_or_slug)
            .ok_or_else(|| not_found("workspace", id_or_slug))
    }

    fn slug_taken(&self, slug: &str, except: Option<usize>) -> bool {
        self.entries.iter().enumerate().any(|(i, e)| Some(i) != except && e.workspace.slug == slug)
    }

    /// The workspaces, in creation order.
    pub(crate) fn workspaces(&self) -> Vec<Workspace> {
        self.entries.iter().map(|e| e.workspace.clone()).collect()
    }

    pub(crate) fn list_workspaces(&self, offset: usize, limit: usize) -> Outcome {
        let data: Vec<Value> = self.entries.iter().skip(offset).take(limit).map(|e| json(&e.workspace)).collect();
        Ok(serde_json::json!({ "data": data, "total_count": self.entries.len() }))
    }

    pub(crate) fn create_workspace(&mut self, body: CreateBody) -> Outcome {
        check(crate::validate::name(&body.name))?;
        check(crate::validate::slug(&body.slug))?;
        if let Some(d) = &body.description {
            check(crate::validate::description(d))?;
        }
        if let Some(rate) = body.io_logging_sampling_rate {
            check(crate::validate::sampling_rate(rate))?;
        }
        if self.slug_taken(&body.slug, None) {
            return Err(bad(format!("a workspace with slug {:?} already exists", body.slug)));
        }
        let now = self.now();
        let mut w = self.new_workspace(uuid::Uuid::new_v4().to_string(), body.name, body.slug, now);
        w.description = body.description;
        w.default_text_model = body.default_text_model;
        w.default_image_model = body.default_image_model;
        w.default_provider_sort = body.default_provider_sort;
        w.disabled_server_tools = body.disabled_server_tools.and_then(tools);
        w.io_logging_api_key_ids = body.io_logging_api_key_ids;
        w.io_logging_sampling_rate = body.io_logging_sampling_rate.unwrap_or(1.0);
        w.is_data_discount_logging_enabled = body.is_data_discount_logging_enabled.unwrap_or(true);
        w.is_observability_broadcast_enabled = body.is_observability_broadcast_enabled.unwrap_or(false);
        w.is_observability_io_logging_enabled = body.is_observability_io_logging_enabled.unwrap_or(false);
        let out = serde_json::json!({ "data": json(&w) });
        self.entries.push(Entry {
            workspace: w,
            is_default: false,
            members: BTreeMap::new(),
            budgets: BTreeMap::new(),
        });
        Ok(out)
    }

    pub(crate) fn get_workspace(&self, id: &str) -> Outcome {
        let i = self.find(id)?;
        Ok(serde_json::json!({ "data": json(&self.entries[i].workspace) }))
    }

    pub(crate) fn update_workspace(&mut self, id: &str, body: UpdateBody) -> Outcome {
        let i = self.find(id)?;
        if let Some(name) = &body.name {
            check(crate::validate::name(not_null("name", name.as_deref())?))?;
        }
        if let Some(slug) = &body.slug {
            let slug = not_null("slug", slug.as_deref())?;
            check(crate::validate::slug(slug))?;
            if self.slug_taken(slug, Some(i)) {
                return Err(bad(format!("a workspace with slug {slug:?} already exists")));
            }
        }
        if let Some(Some(d)) = &body.description {
            check(crate::validate::description(d))?;
        }
        if let Some(rate) = body.io_logging_sampling_rate {
            check(crate::validate::sampling_rate(not_null("io_logging_sampling_rate", rate)?))?;
        }
        let flags = [
            ("is_data_discount_logging_enabled", body.is_data_discount_logging_enabled),
            ("is_observability_broadcast_enabled", body.is_observability_broadcast_enabled),
            ("is_observability_io_logging_enabled", body.is_observability_io_logging_enabled),
        ];
        for (field, value) in &flags {
            if matches!(value, Some(None)) {
                return Err(bad(format!("{field} cannot be null")));
            }
        }
        let now = self.now();
        let w = &mut self.entries[i].workspace;
        if let Some(Some(name)) = body.name {
            w.name = name;
        }
        if let Some(Some(slug)) = body.slug {
            w.slug = slug;
        }
        if let Some(v) = body.description {
            w.description = v;
        }
        if let Some(v) = body.default_text_model {
            w.default_text_model = v;
        }
        if let Some(v) = body.default_image_model {
            w.default_image_model = v;
        }
        if let Some(v) = body.default_provider_sort {
            w.default_provider_sort = v;
        }
        if let Some(v) = body.disabled_server_tools {
            w.disabled_server_tools = v.and_then(tools);
        }
        if let Some(v) = body.io_logging_api_key_ids {
            w.io_logging_api_key_ids = v;
        }
        if let Some(Some(v)) = body.io_logging_sampling_rate {
            w.io_logging_sampling_rate = v;
        }
        if let Some(Some(v)) = body.is_data_discount_logging_enabled {
            w.is_data_discount_logging_enabled = v;
        }
        if let Some(Some(v)) = body.is_observability_broadcast_enabled {
            w.is_observability_broadcast_enabled = v;
        }
        if let Some(Some(v)) = body.is_observability_io_logging_enabled {
            w.is_observability_io_logging_enabled = v;
        }
        w.updated_at = Some(now);
        Ok(serde_json::json!({ "data": json(w) }))
    }

    pub(crate) fn delete_workspace(&mut self, id: &str, confirm_default: bool) -> Outcome {
        let i = self.find(id)?;
        if self.entries[i].is_default && !confirm_default {
            return Err(bad(
                "deleting the default workspace requires confirm_default_workspace_deletion=true; it permanently \
                 disables the account's unscoped inference API keys",
            ));
        }
        self.entries.remove(i);
        Ok(serde_json::json!({ "deleted": true }))
    }

    fn implicit_member(&self, entry: &Entry, user: &OrgUser) -> WorkspaceMember {
        WorkspaceMember {
            extra: Default::default(),
            id: derived_id(&["member", &entry.workspace.id, &user.user_id]),
            workspace_id: entry.workspace.id.clone(),
            user_id: user.user_id.clone(),
            role: user.role.clone(),
            created_at: entry.workspace.created_at.clone(),
        }
    }

    fn members_of(&self, i: usize) -> Vec<WorkspaceMember> {
        let entry = &self.entries[i];
        if entry.is_default {
            self.org.iter().map(|u| self.implicit_member(entry, u)).collect()
        } else {
            entry.members.values().cloned().collect()
        }
    }

    pub(crate) fn list_members(&self, id: &str, offset: usize, limit: usize) -> Outcome {
        let i = self.find(id)?;
        let all = self.members_of(i);
        let data: Vec<Value> = all.iter().skip(offset).take(limit).map(json).collect();
        Ok(serde_json::json!({ "data": data, "total_count": all.len() }))
    }

    fn check_user_ids(ids: &[String]) -> Result<(), Failure> {
        check(crate::validate::user_ids(ids))
    }

    pub(crate) fn add_members(&mut self, id: &str, body: UserIdsBody) -> Outcome {
        let i = self.find(id)?;
        Self::check_user_ids(&body.user_ids)?;
        let mut users = Vec::new();
        for user_id in &body.user_ids {
            match self.org.iter().find(|u| &u.user_id == user_id) {
                Some(u) => users.push(u.clone()),
                None => return Err(bad(format!("user {user_id:?} is not a member of the organization"))),
            }
        }
        let now = self.now();
        let mut added = Vec::new();
        for user in users {
            let member = if self.entries[i].is_default {
                self.implicit_member(&self.entries[i], &user)
            } else {
                let entry = &mut self.entries[i];
                let workspace_id = entry.workspace.id.clone();
                entry
                    .members
                    .entry(user.user_id.clone())
                    .or_insert_with(|| WorkspaceMember {
                        extra: Default::default(),
                        id: uuid::Uuid::new_v4().to_string(),
                        workspace_id,
                        user_id: user.user_id.clone(),
                        role: user.role.clone(),
                        created_at: now.clone(),
                    })
                    .clone()
            };
            if !added.iter().any(|m: &WorkspaceMember| m.user_id == member.user_id) {
                added.push(member);
            }
        }
        Ok(serde_json::json!({ "added_count": added.len(), "data": added.iter().map(json).collect::<Vec<_>>() }))
    }

    pub(crate) fn remove_members(&mut self, id: &str, body: UserIdsBody) -> Outcome {
        let i = self.find(id)?;
        Self::check_user_ids(&body.user_ids)?;
        if self.entries[i].is_default {
            return Err(bad(
                "members of the default workspace are implicit (the whole organization); they cannot be removed",
            ));
        }
        let members = &mut self.entries[i].members;
        let removed = body.user_ids.iter().filter(|u| members.remove(u.as_str()).is_some()).count();
        Ok(serde_json::json!({ "removed_count": removed }))
    }

    fn byok(&self, i: usize) -> bool {
        self.entries[i].workspace.include_byok_in_budgets.unwrap_or(false)
    }

    pub(crate) fn list_budgets(&self, id: &str) -> Outcome {
        let i = self.find(id)?;
        let data: Vec<Value> = self.entries[i].budgets.values().rev().map(json).collect();
        Ok(serde_json::json!({ "data": data, "include_byok_in_budgets": self.byok(i) }))
    }

    pub(crate) fn get_budget(&self, id: &str, interval: &BudgetInterval) -> Outcome {
        let i = self.find(id)?;
        let r = rank(interval).ok_or_else(|| bad(format!("invalid interval {:?}", interval.as_str())))?;
        let budget = self.entries[i]
            .budgets
            .get(&r)
            .ok_or_else(|| not_found("budget", &format!("{interval} of workspace {id}")))?;
        Ok(serde_json::json!({ "data": json(budget), "include_byok_in_budgets": self.byok(i) }))
    }

    pub(crate) fn upsert_budget(&mut self, id: &str, interval: &BudgetInterval, body: UpsertBody) -> Outcome {
        let i = self.find(id)?;
        let r = rank(interval).ok_or_else(|| bad(format!("invalid interval {:?}", interval.as_str())))?;
        if !(body.limit_usd.is_finite() && body.limit_usd > 0.0) {
            return Err(bad(format!("limit_usd must be greater than 0 (got {})", body.limit_usd)));
        }
        for (other, budget) in &self.entries[i].budgets {
            let ok = match other.cmp(&r) {
                std::cmp::Ordering::Less => budget.limit_usd < body.limit_usd,
                std::cmp::Ordering::Greater => budget.limit_usd > body.limit_usd,
                std::cmp::Ordering::Equal => true,
            };
            if !ok {
                let other_name = &INTERVALS[usize::from(*other)];
                return Err(bad(format!(
                    "budget limits must strictly decrease as the interval narrows (lifetime > monthly > weekly > \
                     daily): {interval} {} conflicts with {other_name} {}",
                    body.limit_usd, budget.limit_usd
                )));
            }
        }
        let now = self.now();
        let entry = &mut self.entries[i];
        if let Some(byok) = body.include_byok_in_budgets {
            entry.workspace.include_byok_in_budgets = Some(byok);
        }
        let workspace_id = entry.workspace.id.clone();
        let budget = entry.budgets.entry(r).or_insert_with(|| WorkspaceBudget {
            extra: Default::default(),
            id: uuid::Uuid::new_v4().to_string(),
            workspace_id,
            limit_usd: body.limit_usd,
            reset_interval: interval.reset_interval(),
            created_at: now.clone(),
            updated_at: now.clone(),
        });
        budget.limit_usd = body.limit_usd;
        budget.updated_at = now;
        let out = json(budget);
        Ok(serde_json::json!({ "data": out, "include_byok_in_budgets": self.byok(i) }))
    }

    pub(crate) fn delete_budget(&mut self, id: &str, interval: &BudgetInterval) -> Outcome {
        let i = self.find(id)?;
        let r = rank(interval).ok_or_else(|| bad(format!("invalid interval {:?}", interval.as_str())))?;
        self.entries[i].budgets.remove(&r);
        Ok(serde_json::json!({ "deleted": true }))
    }

    /// Adds a workspace directly (seeding), bypassing HTTP but not the rules.
    pub(crate) fn seed_workspace(&mut self, name: &str, slug: &str) -> Result<Workspace, Failure> {
        let body = CreateBody {
            name: name.into(),
            slug: slug.into(),
            description: None,
            default_text_model: None,
            default_image_model: None,
            default_provider_sort: None,
            disabled_server_tools: None,
            io_logging_api_key_ids: None,
            io_logging_sampling_rate: None,
            is_data_discount_logging_enabled: None,
            is_observability_broadcast_enabled: None,
            is_observability_io_logging_enabled: None,
        };
        let out = self.create_workspace(body)?;
        serde_json::from_value(out["data"].clone()).map_err(|e| bad(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert(s: &mut State, interval: BudgetInterval, limit: f64) -> Outcome {
        s.upsert_budget("default", &interval, UpsertBody { limit_usd: limit, include_byok_in_budgets: None })
    }

    #[test]
    fn budgets_must_strictly_decrease_as_the_interval_narrows() {
        let mut s = State::new(OrgUser::default_org());
        upsert(&mut s, BudgetInterval::Monthly, 100.0).unwrap();
        assert_eq!(upsert(&mut s, BudgetInterval::Weekly, 100.0).unwrap_err().status, 400);
        upsert(&mut s, BudgetInterval::Weekly, 50.0).unwrap();
        assert!(upsert(&mut s, BudgetInterval::Lifetime, 99.0).is_err());
        upsert(&mut s, BudgetInterval::Lifetime, 1000.0).unwrap();
        assert!(upsert(&mut s, BudgetInterval::Daily, 60.0).is_err());
        upsert(&mut s, BudgetInterval::Daily, 10.0).unwrap();
        // Changing one interval is checked against the others, not against itself.
        upsert(&mut s, BudgetInterval::Monthly, 90.0).unwrap();
        assert!(upsert(&mut s, BudgetInterval::Monthly, 0.0).is_err());
        let list = s.list_budgets("default").unwrap();
        let order: Vec<Value> = list["data"].as_array().unwrap().iter().map(|b| b["reset_interval"].clone()).collect();
        assert_eq!(order, [Value::Null, "monthly".into(), "weekly".into(), "daily".into()]);
    }

    #[test]
    fn the_default_workspace_has_the_whole_organization_and_needs_confirmation_to_delete() {
        let mut s = State::new(OrgUser::default_org());
        let members = s.list_members("default", 0, 100).unwrap();
        assert_eq!(members["total_count"], 4);
        assert_eq!(s.delete_workspace("default", false).unwrap_err().status, 400);
        s.delete_workspace("default", true).unwrap();
        assert_eq!(s.get_workspace("default").unwrap_err().status, 404);
    }

    #[test]
    fn slugs_are_unique_and_updates_move_updated_at() {
        let mut s = State::new(OrgUser::default_org());
        let w = s.seed_workspace("A", "a").unwrap();
        assert_eq!(w.default_guardrail_id, derived_id(&["guardrail", &w.id]));
        assert!(s.seed_workspace("B", "a").is_err());
        let body: UpdateBody = serde_json::from_str(r#"{"description": null, "name": "A2"}"#).unwrap();
        let out = s.update_workspace(&w.id, body).unwrap();
        assert_eq!(out["data"]["name"], "A2");
        assert!(out["data"]["updated_at"].as_str().unwrap() > w.updated_at.as_deref().unwrap());
        let null_name: UpdateBody = serde_json::from_str(r#"{"name": null}"#).unwrap();
        assert_eq!(s.update_workspace("a", null_name).unwrap_err().message, "name cannot be null");
    }
}
