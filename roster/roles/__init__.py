"""The catalogue of deployment roles, in English and French, kept by IPO staff: its services,
selectors, forms, pages and URLs. The model is roster.models.DeploymentRole."""
