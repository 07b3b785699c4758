//! The agency's staff: their roles, and the permission values that only a role
//! check can produce. An operation that needs a role takes one of those values,
//! so code that has not checked the role does not compile.

/// A staff member's id (never an applicant's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StaffId(pub i64);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Verifies callers; changes phone numbers, corrects email addresses, closes accounts.
    Support,
    /// Moves cases through their statuses.
    Caseworker,
    /// Reads the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Support, Role::Caseworker, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Support => "support",
            Role::Caseworker => "caseworker",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The catalog key of the role's name.
    pub fn key(self) -> &'static str {
        match self {
            Role::Support => "staff.role.support",
            Role::Caseworker => "staff.role.caseworker",
            Role::Admin => "staff.role.admin",
        }
    }
}

/// A logged-in staff member.
#[derive(Clone, Debug)]
pub struct StaffMember {
    pub id: StaffId,
    pub email: String,
    pub role: Role,
}

/// A permission value: the role that grants it, and the check that makes it.
pub trait Permission: Sized {
    const ROLE: Role;
    fn grant(member: &StaffMember) -> Option<Self>;
}

macro_rules! permission {
    ($(#[$doc:meta])* $name:ident, $role:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name(StaffMember);

        impl $name {
            pub fn member(&self) -> &StaffMember {
                &self.0
            }
        }

        impl StaffMember {
            pub fn $method(&self) -> Option<$name> {
                (self.role == Role::$role).then(|| $name(self.clone()))
            }
        }

        impl Permission for $name {
            const ROLE: Role = Role::$role;
            fn grant(member: &StaffMember) -> Option<Self> {
                member.$method()
            }
        }
    };
}

permission!(
    /// Proof that the staff member has the support role.
    Support, Support, as_support
);
permission!(
    /// Proof that the staff member has the caseworker role.
    Caseworker, Caseworker, as_caseworker
);
permission!(
    /// Proof that the staff member has the admin role.
    Admin, Admin, as_admin
);

#[cfg(test)]
mod tests {
    use super::*;

    fn member(role: Role) -> StaffMember {
        StaffMember {
            id: StaffId(1),
            email: "s@agency.se".into(),
            role,
        }
    }

    #[test]
    fn each_role_gets_exactly_its_own_permission() {
        let support = member(Role::Support);
        assert!(support.as_support().is_some());
        assert!(support.as_caseworker().is_none() && support.as_admin().is_none());
        let caseworker = member(Role::Caseworker);
        assert!(caseworker.as_caseworker().is_some());
        assert!(caseworker.as_support().is_none() && caseworker.as_admin().is_none());
        let admin = member(Role::Admin);
        assert!(admin.as_admin().is_some());
        assert!(admin.as_support().is_none() && admin.as_caseworker().is_none());
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
