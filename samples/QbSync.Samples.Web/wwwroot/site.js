// The live progress of the first sync: polls the sample's /demo/progress and reloads the page once the work is done.
(function () {
    const region = document.getElementById("progress");
    if (!region) {
        return;
    }

    const bar = document.getElementById("sync-progress");
    const text = document.getElementById("progress-text");
    // Work open when the page was rendered counts: the table then shows it, so the page reloads once it is done.
    let sawWork = Number(region.dataset.openAtRender) > 0;
    async function poll() {
        try {
            const response = await fetch(region.dataset.progressUrl, { headers: { "Accept": "application/json" } });
            if (response.ok) {
                const p = await response.json();
                const open = p.pending + p.syncing;
                bar.max = p.total;
                bar.value = p.total - open;
                if (open > 0) {
                    sawWork = true;
                    text.textContent = `Syncing accounts… ${p.total - open} of ${p.total}`;
                } else {
                    text.textContent = "First sync finished";
                    if (sawWork) {
                        const url = new URL(window.location.href);
                        url.searchParams.delete("connected");
                        window.location.replace(url.toString());
                    }
                    return;
                }
            }
        } catch (e) {
            // Try again at the next tick.
        }
        setTimeout(poll, 500);
    }
    poll();
})();

// Live statuses: the accounts table asks QbSync's JSON API for the same page every second and updates each row's
// status, tooltip and customer in place, so a person watches the first sync, or a webhook's drift, without reloading.
(function () {
    const table = document.querySelector("table[data-live-url]");
    if (!table) {
        return;
    }

    function update(item) {
        const row = table.querySelector(`tr[data-account="${CSS.escape(item.accountId)}"]`);
        if (!row) {
            return;
        }

        const badge = row.querySelector(".badge");
        if (badge && badge.dataset.status !== item.status) {
            badge.dataset.status = item.status;
            badge.className = "badge status-" + item.status.toLowerCase();
        }
        if (badge && badge.textContent !== item.label) {
            badge.textContent = item.label;
        }
        const tip = row.querySelector("[role=tooltip]");
        if (tip && tip.textContent !== item.tooltip) {
            tip.textContent = item.tooltip;
        }
        const customer = row.querySelector("[data-field=customer]");
        if (customer && customer.textContent !== (item.customerDisplayName ?? "")) {
            customer.textContent = item.customerDisplayName ?? "";
        }
    }

    async function poll() {
        try {
            const response = await fetch(table.dataset.liveUrl, { headers: { "Accept": "application/json" } });
            if (response.ok) {
                const page = await response.json();
                page.items.forEach(update);
            }
        } catch (e) {
            // Try again at the next tick.
        }
        setTimeout(poll, 1000);
    }
    setTimeout(poll, 1000);
})();
