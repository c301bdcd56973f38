# Your own keypair is imported by its name.
terraform import nova_keypair.deployer example-deployer

# Another user's keypair (admins; compute microversion 2.10) by user_id/name.
terraform import nova_keypair.alice 99f09abef34647e094da0ffded5b0d62/example-alice-laptop
