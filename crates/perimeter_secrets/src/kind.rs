//! The kinds of secret the value detectors know, with the words reports use for them.

/// What kind of secret a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKind {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    PrivateKey,
    GitHubToken,
    GitLabToken,
    SlackToken,
    SlackWebhook,
    StripeKey,
    GoogleApiKey,
    TwilioApiKey,
    SendGridKey,
    NpmToken,
    OpenAiKey,
    AnthropicKey,
    ShopifyToken,
    MailgunKey,
    AzureStorageKey,
    PypiToken,
    DigitalOceanToken,
    HuggingFaceToken,
    PostmanKey,
    SquareToken,
    DiscordWebhook,
    Jwt,
    UrlCredentials,
    /// A generic random-looking token.
    HighEntropy,
}

impl SecretKind {
    /// Human label for messages.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::AwsAccessKeyId => "an AWS access key id",
            SecretKind::AwsSecretAccessKey => "an AWS secret access key",
            SecretKind::PrivateKey => "a PEM private key",
            SecretKind::GitHubToken => "a GitHub token",
            SecretKind::GitLabToken => "a GitLab token",
            SecretKind::SlackToken => "a Slack token",
            SecretKind::SlackWebhook => "a Slack webhook URL",
            SecretKind::StripeKey => "a Stripe secret key",
            SecretKind::GoogleApiKey => "a Google API key",
            SecretKind::TwilioApiKey => "a Twilio API key",
            SecretKind::SendGridKey => "a SendGrid API key",
            SecretKind::NpmToken => "an npm token",
            SecretKind::OpenAiKey => "an OpenAI-style API key",
            SecretKind::AnthropicKey => "an Anthropic API key",
            SecretKind::ShopifyToken => "a Shopify access token",
            SecretKind::MailgunKey => "a Mailgun API key",
            SecretKind::AzureStorageKey => "an Azure storage account key",
            SecretKind::PypiToken => "a PyPI upload token",
            SecretKind::DigitalOceanToken => "a DigitalOcean token",
            SecretKind::HuggingFaceToken => "a Hugging Face token",
            SecretKind::PostmanKey => "a Postman API key",
            SecretKind::SquareToken => "a Square access token",
            SecretKind::DiscordWebhook => "a Discord webhook URL",
            SecretKind::Jwt => "a JSON Web Token",
            SecretKind::UrlCredentials => "a password in a URL",
            SecretKind::HighEntropy => "a random-looking token",
        }
    }
}
