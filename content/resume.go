// Package content owns the resume: the JSON Resume model (https://jsonresume.org/schema),
// the default resume embedded in the binary, loading from JSON or YAML and validation
// with file:line:col errors, the reading order of its sections, and the exports
// (plain text, Markdown, JSON Resume, vCard).
//
// A *Resume is parsed and validated once at start and then shared read-only by every
// session; nothing in this package mutates a Resume after Parse returns it.
package content

// Resume is a JSON Resume document. Field names and JSON keys follow the official schema,
// so an existing resume.json loads unchanged. Besides the documented sshresume
// extensions (Education.Department, Award.EndDate and Meta.SSHResume), fields the
// schema does not define are accepted, as the schema allows, and ignored; Check
// lists them as notes. Near-misses of a known field and fields the schema renamed
// are errors instead, since their content would silently vanish.
type Resume struct {
	Schema       string        `json:"$schema,omitempty"`
	Basics       Basics        `json:"basics"`
	Work         []Work        `json:"work,omitempty"`
	Volunteer    []Volunteer   `json:"volunteer,omitempty"`
	Education    []Education   `json:"education,omitempty"`
	Awards       []Award       `json:"awards,omitempty"`
	Certificates []Certificate `json:"certificates,omitempty"`
	Publications []Publication `json:"publications,omitempty"`
	Skills       []Skill       `json:"skills,omitempty"`
	Languages    []Language    `json:"languages,omitempty"`
	Interests    []Interest    `json:"interests,omitempty"`
	References   []Reference   `json:"references,omitempty"`
	Projects     []Project     `json:"projects,omitempty"`
	Meta         *Meta         `json:"meta,omitempty"`

	// doc is the reading order of the sections, built once by Parse.
	doc *Document
	// paper and font are how the PDF is printed, chosen when it was loaded.
	paper   Paper
	font    *Font
	version string // sshresume's, for the PDF's metadata
	// undrawable are the characters of the resume that font cannot draw.
	undrawable []Problem
}

// Basics is who the resume is about and how to reach them.
type Basics struct {
	Name     string    `json:"name"`
	Label    string    `json:"label,omitempty"`
	Image    string    `json:"image,omitempty"`
	Email    string    `json:"email,omitempty"`
	Phone    string    `json:"phone,omitempty"`
	URL      string    `json:"url,omitempty"`
	Summary  string    `json:"summary,omitempty"`
	Location *Location `json:"location,omitempty"`
	Profiles []Profile `json:"profiles,omitempty"`
}

// Location is a postal location.
type Location struct {
	Address     string `json:"address,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	City        string `json:"city,omitempty"`
	CountryCode string `json:"countryCode,omitempty"`
	Region      string `json:"region,omitempty"`
}

// Profile is an account on a social network or code host.
type Profile struct {
	Network  string `json:"network,omitempty"`
	Username string `json:"username,omitempty"`
	URL      string `json:"url,omitempty"`
}

// Work is a job.
type Work struct {
	Name        string   `json:"name,omitempty"`
	Location    string   `json:"location,omitempty"`
	Description string   `json:"description,omitempty"`
	Position    string   `json:"position,omitempty"`
	URL         string   `json:"url,omitempty"`
	StartDate   string   `json:"startDate,omitempty"`
	EndDate     string   `json:"endDate,omitempty"`
	Summary     string   `json:"summary,omitempty"`
	Highlights  []string `json:"highlights,omitempty"`
}

// Volunteer is a volunteering position.
type Volunteer struct {
	Organization string   `json:"organization,omitempty"`
	Position     string   `json:"position,omitempty"`
	URL          string   `json:"url,omitempty"`
	StartDate    string   `json:"startDate,omitempty"`
	EndDate      string   `json:"endDate,omitempty"`
	Summary      string   `json:"summary,omitempty"`
	Highlights   []string `json:"highlights,omitempty"`
}

// Education is a degree or course of study.
type Education struct {
	Institution string `json:"institution,omitempty"`
	URL         string `json:"url,omitempty"`
	Area        string `json:"area,omitempty"`
	StudyType   string `json:"studyType,omitempty"`
	// Department is an sshresume extension: the school or department within the
	// institution, e.g. "School of Mathematical Sciences".
	Department string   `json:"department,omitempty"`
	StartDate  string   `json:"startDate,omitempty"`
	EndDate    string   `json:"endDate,omitempty"`
	Score      string   `json:"score,omitempty"`
	Courses    []string `json:"courses,omitempty"`
}

// Award is an award or honour.
type Award struct {
	Title string `json:"title,omitempty"`
	Date  string `json:"date,omitempty"`
	// EndDate is an sshresume extension for honours held over a period: Date starts
	// it and EndDate ends it.
	EndDate string `json:"endDate,omitempty"`
	Awarder string `json:"awarder,omitempty"`
	Summary string `json:"summary,omitempty"`
}

// Certificate is a certification.
type Certificate struct {
	Name   string `json:"name,omitempty"`
	Date   string `json:"date,omitempty"`
	URL    string `json:"url,omitempty"`
	Issuer string `json:"issuer,omitempty"`
}

// Publication is a published work.
type Publication struct {
	Name        string `json:"name,omitempty"`
	Publisher   string `json:"publisher,omitempty"`
	ReleaseDate string `json:"releaseDate,omitempty"`
	URL         string `json:"url,omitempty"`
	Summary     string `json:"summary,omitempty"`
}

// Skill is an area of skill with its keywords.
type Skill struct {
	Name     string   `json:"name,omitempty"`
	Level    string   `json:"level,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
}

// Language is a spoken language.
type Language struct {
	Language string `json:"language,omitempty"`
	Fluency  string `json:"fluency,omitempty"`
}

// Interest is an interest with its keywords.
type Interest struct {
	Name     string   `json:"name,omitempty"`
	Keywords []string `json:"keywords,omitempty"`
}

// Reference is a reference from someone else.
type Reference struct {
	Name      string `json:"name,omitempty"`
	Reference string `json:"reference,omitempty"`
}

// Project is a project, or a research entry: Description carries its venue or
// status ("Accepted by ICML 2022") and Type labels its URL ("Paper", "Blog post").
type Project struct {
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description,omitempty"`
	Highlights  []string `json:"highlights,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	StartDate   string   `json:"startDate,omitempty"`
	EndDate     string   `json:"endDate,omitempty"`
	URL         string   `json:"url,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	Entity      string   `json:"entity,omitempty"`
	Type        string   `json:"type,omitempty"`
}

// Meta is data about the document itself.
type Meta struct {
	Canonical    string `json:"canonical,omitempty"`
	Version      string `json:"version,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	// SSHResume holds sshresume's own presentation settings; other JSON Resume
	// tools ignore it.
	SSHResume *Presentation `json:"sshresume,omitempty"`
}

// Presentation is how sshresume presents the resume.
type Presentation struct {
	// Titles renames sections, keyed by section ID (about, work, projects, ...):
	// {"projects": "Research"}.
	Titles map[string]string `json:"titles,omitempty"`
	// Order lists section IDs in the order they are shown; sections it leaves out
	// follow in the default order.
	Order []string `json:"order,omitempty"`
	// Paper is the PDF's paper size: "a4" (the default) or "letter". The
	// -paper option (SSHRESUME_PAPER) wins over it.
	Paper string `json:"paper,omitempty"`
	// Private lists fields that no output shows, as dotted paths:
	// "basics.phone", "basics.location.address", "references",
	// "work.location" (every job's), "work[2]" (the third job). See Private.
	Private []string `json:"private,omitempty"`
}
