# Rotate a key with no moment without a keypair: with name_prefix, each key
# gets a keypair of its own name (example-ci-20261130041200123400000001), so
# create_before_destroy makes the new keypair before the old one is deleted,
# and Nova never sees the same name twice.
resource "nova_keypair" "ci" {
  name_prefix = "example-ci-"
  public_key  = file("${path.module}/ci.pub")

  lifecycle {
    create_before_destroy = true
  }
}
