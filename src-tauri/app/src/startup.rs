//! Start-up: opens the engine on the shared data directory and starts the receiver, or keeps why
//! it could not, so the window still opens and says so (a damaged, read-only or locked database)
//! instead of the app failing. The start screen's commands live here: what went wrong, try
//! again, move a damaged database aside (only when the user asks: nothing is ever deleted or
//! overwritten) and start a new one, or quit. Each is a few lines over core.

use std::path::PathBuf;
use std::sync::RwLock;

use hookloupe_core::config::ListenAddr;
use hookloupe_core::ipc::{ErrorView, SetAsideView, StartupProblem};
use hookloupe_core::{paths, store, Config, Engine, ErrorCode, KeyringMode, PortPolicy};
use tauri::{AppHandle, State};

/// The engine, or why it could not start (shown by the window instead of crashing).
pub struct Shell {
    engine: RwLock<Result<Engine, ErrorView>>,
    config: Config,
    port: u16,
}

impl Shell {
    /// Starts the engine (see [`Shell::engine`] for the outcome) and forwards its events.
    pub fn start(app: &AppHandle, port: u16) -> Shell {
        // HOOKLOUPE_KEYRING=off keeps secrets in the database (as with the CLI's --keyring off).
        let keyring = std::env::var("HOOKLOUPE_KEYRING").ok().and_then(|v| KeyringMode::parse(&v)).unwrap_or_default();
        let config = Config { keyring, ..Config::new(paths::default_data_dir()) };
        let engine = tauri::async_runtime::block_on(open(config.clone(), port));
        if let Ok(engine) = &engine {
            crate::events::forward(app.clone(), engine.subscribe());
        }
        Shell { engine: RwLock::new(engine), config, port }
    }

    /// The running engine, or the error it did not start with.
    pub fn engine(&self) -> Result<Engine, ErrorView> {
        self.engine.read().map_err(|_| poisoned())?.clone()
    }

    fn database(&self) -> PathBuf {
        self.config.db_path()
    }

    /// Opens the engine again (after the user freed the database or moved it aside).
    async fn restart(&self, app: &AppHandle) -> Result<(), ErrorView> {
        let opened = open(self.config.clone(), self.port).await;
        if let Ok(engine) = &opened {
            crate::events::forward(app.clone(), engine.subscribe());
        }
        let outcome = opened.as_ref().map(|_| ()).map_err(Clone::clone);
        *self.engine.write().map_err(|_| poisoned())? = opened;
        outcome
    }
}

fn poisoned() -> ErrorView {
    ErrorView { code: ErrorCode::Internal, message: "the app's state is poisoned; restart Hookloupe".into() }
}

async fn open(config: Config, port: u16) -> Result<Engine, ErrorView> {
    let engine = Engine::open(config)?;
    let bind = std::net::Ipv4Addr::LOCALHOST.into();
    engine.listen(ListenAddr { bind, port, policy: PortPolicy::NextFree }).await?;
    Ok(engine)
}

/// Why the engine did not start; `null` when it runs.
#[tauri::command]
pub fn startup_problem(shell: State<'_, Shell>) -> Option<StartupProblem> {
    shell.engine().err().map(|e| StartupProblem::new(&e, &shell.database()))
}

/// Tries to start again (e.g. once the other program let go of the database).
#[tauri::command]
pub async fn retry_start(app: AppHandle, shell: State<'_, Shell>) -> Result<(), ErrorView> {
    if shell.engine().is_ok() {
        return Ok(());
    }
    shell.restart(&app).await
}

/// Moves the damaged database aside (renamed `<name>.corrupt-<time>` with its `-wal`/`-shm`
/// files) and starts a new one. Only while the start failed on a damaged database.
#[tauri::command]
pub async fn set_database_aside(app: AppHandle, shell: State<'_, Shell>) -> Result<SetAsideView, ErrorView> {
    match shell.engine() {
        Err(e) if e.code == ErrorCode::Corrupt => {}
        _ => {
            return Err(ErrorView {
                code: ErrorCode::Conflict,
                message: "the database is not damaged: nothing was moved".into(),
            })
        }
    }
    let database = shell.database();
    let moved_to = store::set_aside(&database, std::time::SystemTime::now())?;
    shell.restart(&app).await?;
    Ok(SetAsideView { moved_to: moved_to.display().to_string(), database: database.display().to_string() })
}

/// Quits the app (the start screen's way out).
#[tauri::command]
pub fn quit_app(app: AppHandle) {
    app.exit(0);
}
