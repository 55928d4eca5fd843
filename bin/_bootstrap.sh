# Sourced by bin/run and bin/test: everything a fresh machine needs, done once.
# - a virtualenv in .venv with requirements.txt installed (again only when it changes);
# - a .env with a freshly generated SECRET_KEY, copied from .env.example.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "→ Création de l'environnement virtuel (.venv)"
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "→ Installation des dépendances (requirements.txt)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r requirements.txt
    echo "$want" > "$stamp"
fi
if [ ! -f .env ]; then
    echo "→ Création de .env (clé secrète générée, DEBUG=True)"
    key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
    cron=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
    sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$key|" -e "s|^CRON_SECRET=.*|CRON_SECRET=$cron|" .env.example > .env
fi
