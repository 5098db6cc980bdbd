//! A walk through every operation of the API: a workspace provisioned with a budget, a member, an API key (its
//! secret printed redacted) and a change of its default guardrail, then taken apart again.
//!
//! ```sh
//! cargo run --example tour
//! ```
//!
//! By default it starts the embedded fake server and needs no key. With `OPENROUTER_BASE_URL` set it runs
//! against that server instead, with `OPENROUTER_MANAGEMENT_KEY` (or `OPENROUTER_API_KEY`) as the key (it
//! creates, changes and then deletes a workspace named `tour-<timestamp>` and an API key in it). It never touches
//! the real API unless you set `OPENROUTER_BASE_URL`.
//!
//! On the embedded fake it checks, from the fake's request log, that it called every operation of the spec
//! (`OperationId::ALL`), and fails naming any it missed.

use futures_util::TryStreamExt;
use openrouter_workspaces::fake::FakeServer;
use openrouter_workspaces::operation::OperationId;
use openrouter_workspaces::{
    ApiKeyLimitReset, BudgetInterval, BudgetLimit, Client, CreateKey, CreateWorkspace, GuardrailInterval,
    UpdateGuardrail, UpdateKey, UpdateWorkspace,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match tour().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The error's one-sentence `Display`, not its `Debug` dump.
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn tour() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the fake alive for the whole tour (it stops when dropped).
    let (client, fake) = match std::env::var("OPENROUTER_BASE_URL") {
        Ok(url) => {
            println!("Using the server at {url} (OPENROUTER_BASE_URL).");
            (Client::from_env()?, None)
        }
        Err(_) => {
            let fake = FakeServer::start().await?;
            println!("Started the embedded fake server at {}.", fake.base_url());
            (fake.client(), Some(fake))
        }
    };
    let workspaces = client.workspaces();
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    let slug = format!("tour-{stamp}");

    // 1. createWorkspace
    let created = workspaces
        .create(
            CreateWorkspace::new("Tour", &slug)
                .description("Created by the tour example")
                .default_text_model("openai/gpt-4o"),
        )
        .await?;
    println!("1. created workspace {:?} (id {}, guardrail {})", created.slug, created.id, created.default_guardrail_id);

    // 2. getWorkspace, by slug
    let fetched = workspaces.get(&slug).await?;
    println!("2. got it back by slug: name {:?}, description {:?}", fetched.name, fetched.description);

    // 3. updateWorkspace, clearing a field (explicit null)
    let updated = workspaces.update(&slug, UpdateWorkspace::new().name("Tour (renamed)").clear_description()).await?;
    println!(
        "3. updated: name {:?}, description {:?}, updated_at {:?}",
        updated.name, updated.description, updated.updated_at
    );

    // 4. listWorkspaces, two per page, as a lazy stream of items
    let mut stream = workspaces.list().page_size(2).items();
    let mut count = 0;
    while let Some(w) = stream.try_next().await? {
        count += 1;
        println!("4. listed {:?}", w.slug);
    }
    println!("4. {count} workspace(s) in all");

    // 5-6. members: pick an organization user from the default workspace (whose members are the whole org)
    let org = workspaces.members("default").list_page(0, 10).await?;
    let Some(user) = org.items.last().map(|m| m.user_id.clone()) else {
        return Err("the organization has no users to add".into());
    };
    let members = workspaces.members(&slug);
    let added = members.add([user.as_str()]).await?;
    println!("5. added {} member(s): {user}", added.added_count);
    let listed = members.list().collect().await?;
    println!("6. members now: {:?}", listed.iter().map(|m| (&m.user_id, m.role.as_str())).collect::<Vec<_>>());
    // 7-9. budgets: limits must strictly decrease as the interval narrows
    let budgets = workspaces.budgets(&slug);
    let monthly = budgets.set(BudgetInterval::Monthly, 100.0).await?;
    budgets.set(BudgetInterval::Lifetime, BudgetLimit::usd(1000.0).include_byok_in_budgets(true)).await?;
    println!("7. set a monthly budget of ${} (reset interval {:?})", monthly.limit_usd, monthly.reset_interval);
    let got = budgets.get(BudgetInterval::Monthly).await?;
    println!("8. got the monthly budget: ${}", got.limit_usd);
    let list = budgets.list().await?;
    println!("9. {} budget(s); BYOK counted: {:?}", list.data.len(), list.include_byok_in_budgets);

    // 10-13. an API key in the workspace: its secret is shown once, and printed redacted
    let keys = workspaces.keys(&slug);
    let minted = keys.create(CreateKey::new("tour-ci").limit(25.0).limit_reset(ApiKeyLimitReset::Monthly)).await?;
    println!(
        "10. created API key {:?} (hash {}…): secret {} / {:?}",
        minted.data.name,
        minted.data.hash.get(..12).unwrap_or(""),
        minted.key,
        minted.key
    );
    let secret_len = minted.key.expose_secret().len(); // store it with expose_secret(); never print it
    println!("    (the secret has {secret_len} characters; `expose_secret()` is the one way to read it)");
    let listed_keys = keys.list().collect().await?;
    println!(
        "11. the workspace has {} key(s): {:?}",
        listed_keys.len(),
        listed_keys.iter().map(|k| &k.label).collect::<Vec<_>>()
    );
    let key = client.keys().get(&minted.data.hash).await?;
    println!(
        "12. got the key: limit {:?}, remaining {:?}, reset {:?}",
        key.limit, key.limit_remaining, key.limit_reset
    );
    let key = client.keys().update(&minted.data.hash, UpdateKey::new().name("tour-ci (renamed)").limit(50.0)).await?;
    println!("13. updated the key: {:?}, limit {:?}", key.name, key.limit);

    // 14-15. the default guardrail: unconfigured until first written
    let guardrail = workspaces.default_guardrail(&slug);
    println!("14. default guardrail configured? {}", guardrail.get().await?.is_some());
    let configured = guardrail
        .update(
            UpdateGuardrail::new()
                .limit_usd(20.0)
                .reset_interval(GuardrailInterval::Weekly)
                .allowed_providers(["openai", "anthropic"]),
        )
        .await?;
    println!(
        "15. configured {:?}: ${:?} per {:?}, providers {:?}",
        configured.name,
        configured.limit_usd,
        configured.reset_interval.flatten(),
        configured.allowed_providers
    );
    let read = guardrail.get().await?.ok_or("the guardrail is not there")?;
    println!("    read it back: id {} (the workspace's default_guardrail_id)", read.id);
    println!(
        "    provisioned {slug:?}: a budget, member {user}, API key {} ({}), guardrail {}",
        key.label, minted.key, read.id
    );

    // Taking it apart: a workspace with active API keys cannot be deleted, so the key goes first.
    client.keys().delete(&minted.data.hash).await?;
    println!("16. deleted the API key");
    let removed = members.remove([user.as_str()]).await?;
    println!("17. removed {removed} member(s)");
    budgets.delete(BudgetInterval::Monthly).await?;
    budgets.delete(BudgetInterval::Lifetime).await?;
    println!("18. deleted the budgets");

    // 19. deleteWorkspace
    workspaces.delete(&slug).await?;
    println!("19. deleted workspace {slug:?}");
    match workspaces.get(&slug).await {
        Err(e) => println!("    and it is gone: {e}"),
        Ok(_) => return Err("the workspace is still there".into()),
    }
    let total = OperationId::ALL.len();
    match &fake {
        Some(fake) => {
            let called: std::collections::BTreeSet<OperationId> =
                fake.requests().iter().filter_map(|r| r.operation_id).collect();
            let missed: Vec<&str> =
                OperationId::ALL.iter().filter(|id| !called.contains(id)).map(|id| id.as_str()).collect();
            if !missed.is_empty() {
                return Err(format!(
                    "the tour missed {} of the {total} operations: {}",
                    missed.len(),
                    missed.join(", ")
                )
                .into());
            }
            println!("Tour complete: all {total} operations of the spec.");
        }
        None => println!("Tour complete ({total} operations in the spec)."),
    }
    Ok(())
}
