# Sourced by bin/run and bin/test: everything a fresh development machine needs, done once.
# - a virtualenv in .venv with requirements.txt installed (bin/_venv.sh);
# - a .env with a freshly generated SECRET_KEY, copied from .env.example.
# Production does not use it (no .env there): see bin/install and bin/igp.
source "$(dirname "${BASH_SOURCE[0]}")/_venv.sh"
if [ ! -f .env ]; then
    echo "→ Création de .env (clé secrète générée, DEBUG=True)"
    key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
    cron=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')
    sed -e "s|^SECRET_KEY=.*|SECRET_KEY=$key|" -e "s|^CRON_SECRET=.*|CRON_SECRET=$cron|" .env.example > .env
fi
